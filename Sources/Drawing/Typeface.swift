import Foundation

/// Rendered text as coverage: `alpha[y * width + x]` from 0 (background) to 255 (ink).
public struct TextMask: Sendable {
    public let width: Int, height: Int
    public let alpha: [UInt8]

    public init(width: Int, height: Int, alpha: [UInt8]) {
        precondition(alpha.count == width * height, "one coverage value per pixel")
        (self.width, self.height, self.alpha) = (width, height, alpha)
    }
}

/// A source of rendered text. The visualizer installs a TrueType one (SDL2_ttf) when it can;
/// without one the canvas draws its 5×7 bitmap font, upper case only.
public protocol Typeface: Sendable {
    /// The text at `size` pixels (the font's em height), nil if it cannot be rendered.
    func mask(_ text: String, size: Int) -> TextMask?
}

/// Where a piece of text sits against its x coordinate.
public enum TextAnchor: Sendable {
    case start, middle, end
}

/// The typeface `Canvas.write` uses; set once at start-up (`Visualizer.installTrueTypeFont()`).
public enum Typefaces {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: (any Typeface)?

    public static var installed: (any Typeface)? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}

extension Canvas {
    /// Paints `color` over the pixel with the given opacity (clipped to the canvas).
    public mutating func blend(x: Int, y: Int, _ color: Color, opacity: Double) {
        guard x >= 0 && x < width && y >= 0 && y < height else { return }
        self[x, y] = Color.mix(self[x, y], color, Swift.min(Swift.max(opacity, 0), 1))
    }

    /// Text `size` pixels high with its top at `y`, placed by `anchor` against `x`: in the
    /// installed typeface (any Unicode it covers: θ, π, lower case), else in the bitmap font.
    public mutating func write(_ text: String, x: Double, y: Double, size: Int, _ color: Color, anchor: TextAnchor = .start) {
        if let mask = Typefaces.installed?.mask(text, size: size) {
            let left = Int((x - offset(width: mask.width, anchor)).rounded()), top = Int(y.rounded())
            for row in 0..<mask.height {
                for column in 0..<mask.width where mask.alpha[row * mask.width + column] > 0 {
                    blend(x: left + column, y: top + row, color, opacity: Double(mask.alpha[row * mask.width + column]) / 255)
                }
            }
            return
        }
        let scale = Swift.max(1, size / 8)
        let width = text.count * 6 * scale
        self.text(text, x: Int((x - offset(width: width, anchor)).rounded()), y: Int(y.rounded()) + scale, scale: scale, color)
    }

    /// The width `write` gives the text, in pixels.
    public func textWidth(_ text: String, size: Int) -> Int {
        Typefaces.installed?.mask(text, size: size)?.width ?? text.count * 6 * Swift.max(1, size / 8)
    }

    private func offset(width: Int, _ anchor: TextAnchor) -> Double {
        switch anchor {
        case .start: 0
        case .middle: Double(width) / 2
        case .end: Double(width)
        }
    }
}
