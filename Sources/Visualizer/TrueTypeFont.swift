import Drawing
import Foundation
#if SDL
import CSDL2
import CSDL2TTF
#endif

/// DejaVu Sans (Debian's fonts-dejavu-core) rendered by SDL2_ttf: lower case, Greek (θ, π, σ),
/// minus signs and the other glyphs a chart's labels and a HUD need.
public final class TrueTypeFont: Typeface, @unchecked Sendable {
    /// Where Debian puts the font; `ATHANOR_FONT` names another TrueType file.
    public static var defaultPath: String {
        ProcessInfo.processInfo.environment["ATHANOR_FONT"] ?? "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    }

    public let path: String
    private let lock = NSLock()  // SDL2_ttf is not thread-safe
    #if SDL
    private var fonts: [Int: OpaquePointer] = [:]
    #endif

    /// Opens the font file (nil without the SDL build, SDL2_ttf, or the file).
    public init?(path: String = TrueTypeFont.defaultPath) {
        self.path = path
        #if SDL
        guard FileManager.default.isReadableFile(atPath: path), TTF_WasInit() > 0 || TTF_Init() == 0 else { return nil }
        guard font(size: 12) != nil else { return nil }
        #else
        return nil
        #endif
    }

    deinit {
        #if SDL
        for font in fonts.values { TTF_CloseFont(font) }
        #endif
    }

    #if SDL
    /// The font at a pixel size, opened once (the lock is held by the caller or `init`).
    private func font(size: Int) -> OpaquePointer? {
        if let font = fonts[size] { return font }
        guard let font = TTF_OpenFont(path, Int32(size)) else { return nil }
        fonts[size] = font
        return font
    }
    #endif

    public func mask(_ text: String, size: Int) -> TextMask? {
        #if SDL
        guard !text.isEmpty, (1...512).contains(size) else { return nil }
        return lock.withLock {
            guard let font = font(size: size),
                  let rendered = TTF_RenderUTF8_Blended(font, text, SDL_Color(r: 255, g: 255, b: 255, a: 255)) else { return nil }
            defer { SDL_FreeSurface(rendered) }
            // Blended text comes as 32-bit ARGB; its alpha is the coverage.
            guard let surface = SDL_ConvertSurfaceFormat(rendered, SDL_PIXELFORMAT_RGBA32.rawValue, 0) else { return nil }
            defer { SDL_FreeSurface(surface) }
            let width = Int(surface.pointee.w), height = Int(surface.pointee.h), pitch = Int(surface.pointee.pitch)
            guard let base = surface.pointee.pixels?.assumingMemoryBound(to: UInt8.self) else { return nil }
            var alpha = [UInt8](repeating: 0, count: width * height)
            for y in 0..<height { for x in 0..<width { alpha[y * width + x] = base[y * pitch + x * 4 + 3] } }
            return TextMask(width: width, height: height, alpha: alpha)
        }
        #else
        return nil
        #endif
    }
}

/// Installs DejaVu Sans as the canvas typeface when this build and machine have it; returns
/// whether it did (the bitmap font stays otherwise).
@discardableResult
public func installTrueTypeFont(path: String = TrueTypeFont.defaultPath) -> Bool {
    guard let font = TrueTypeFont(path: path) else { return false }
    Typefaces.installed = font
    return true
}
