/// An RGBA image in memory that the renderers draw into. The window, PNG screenshots and GIF
/// recordings all show these pixels, so what a test reads from a canvas is what a user sees.
public struct Canvas: Equatable, Sendable {
    public let width: Int, height: Int
    /// Row-major pixels, top row first.
    public private(set) var pixels: [Color]

    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width > 0 && height > 0, "a canvas needs a positive size")
        (self.width, self.height) = (width, height)
        pixels = Array(repeating: background, count: width * height)
    }

    public subscript(x: Int, y: Int) -> Color {
        get { pixels[y * width + x] }
        set { if x >= 0 && x < width && y >= 0 && y < height { pixels[y * width + x] = newValue } }
    }

    public mutating func clear(_ color: Color) { pixels = Array(repeating: color, count: width * height) }

    /// Fills the rectangle (clipped to the canvas).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: Color) {
        let x0 = Swift.max(x, 0), y0 = Swift.max(y, 0), x1 = Swift.min(x + w, width), y1 = Swift.min(y + h, height)
        guard x0 < x1 && y0 < y1 else { return }
        for row in y0..<y1 { for column in x0..<x1 { pixels[row * width + column] = color } }
    }

    /// A filled disc.
    public mutating func disc(centerX cx: Double, centerY cy: Double, radius r: Double, _ color: Color) {
        let x0 = Int((cx - r).rounded(.down)), x1 = Int((cx + r).rounded(.up))
        let y0 = Int((cy - r).rounded(.down)), y1 = Int((cy + r).rounded(.up))
        for y in y0...y1 {
            for x in x0...x1 {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                if dx * dx + dy * dy <= r * r { self[x, y] = color }
            }
        }
    }

    /// A straight stroke of the given thickness: every pixel whose centre lies within
    /// thickness/2 of the segment.
    public mutating func line(from a: (x: Double, y: Double), to b: (x: Double, y: Double), thickness: Double, _ color: Color) {
        let half = thickness / 2
        let x0 = Int((Swift.min(a.x, b.x) - half).rounded(.down)), x1 = Int((Swift.max(a.x, b.x) + half).rounded(.up))
        let y0 = Int((Swift.min(a.y, b.y) - half).rounded(.down)), y1 = Int((Swift.max(a.y, b.y) + half).rounded(.up))
        let (dx, dy) = (b.x - a.x, b.y - a.y)
        let length2 = Swift.max(dx * dx + dy * dy, 1e-12)
        for y in y0...y1 {
            for x in x0...x1 {
                let (px, py) = (Double(x) + 0.5, Double(y) + 0.5)
                let t = Swift.min(Swift.max(((px - a.x) * dx + (py - a.y) * dy) / length2, 0), 1)
                let (ex, ey) = (a.x + t * dx - px, a.y + t * dy - py)
                if ex * ex + ey * ey <= half * half { self[x, y] = color }
            }
        }
    }

    /// Text in the built-in 5×7 font, `scale` pixels per font pixel; unknown characters draw as blanks.
    public mutating func text(_ string: String, x: Int, y: Int, scale: Int = 2, _ color: Color) {
        var cursor = x
        for character in string.uppercased() {
            if let rows = Font.glyphs[character] {
                for (r, bits) in rows.enumerated() {
                    for c in 0..<5 where bits & (1 << (4 - c)) != 0 {
                        fill(x: cursor + c * scale, y: y + r * scale, width: scale, height: scale, color)
                    }
                }
            }
            cursor += 6 * scale
        }
    }
}

/// 8-bit RGBA.
public struct Color: Equatable, Hashable, Sendable {
    public var red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8, alpha: UInt8 = 255) {
        (self.red, self.green, self.blue, self.alpha) = (red, green, blue, alpha)
    }

    public static let white = Color(255, 255, 255), black = Color(0, 0, 0)
    // Gymnasium's classic-control palette, so pictures look as users know them.
    public static let cart = Color(0, 0, 0), pole = Color(202, 152, 101), axle = Color(129, 132, 203)
    public static let track = Color(0, 0, 0), car = Color(0, 0, 0), hill = Color(0, 0, 0), flag = Color(204, 204, 0)
    public static let link = Color(0, 204, 204), joint = Color(204, 204, 0), rod = Color(204, 77, 77)
    // Gridworld cells.
    public static let wall = Color(64, 64, 64), hole = Color(30, 60, 140), cliff = Color(90, 40, 40)
    public static let start = Color(200, 200, 200), goal = Color(40, 180, 70), agent = Color(230, 60, 40)
    public static let ice = Color(220, 235, 250), grid = Color(150, 150, 150), wind = Color(120, 160, 220)
    public static let hud = Color(20, 20, 20), estimate = Color(230, 120, 30), truth = Color(60, 110, 200)

    /// A colour between `from` (t = 0) and `to` (t = 1).
    public static func mix(_ from: Color, _ to: Color, _ t: Double) -> Color {
        let u = Swift.min(Swift.max(t, 0), 1)
        func channel(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) + (Double(b) - Double(a)) * u).rounded()) }
        return Color(channel(from.red, to.red), channel(from.green, to.green), channel(from.blue, to.blue))
    }
}
