import Foundation
#if SDL
import CGIF
import CSDL2
import CSDL2Image
#endif

public enum VisualizerError: Error, CustomStringConvertible {
    case needsSDL(String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    case display(String)

    public var description: String {
        switch self {
        case .needsSDL(let what): "\(what) needs the SDL build: swift build --traits SDL (make demo and make test use it)"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .cannotRead(let path, let reason): "cannot read \(path): \(reason)"
        case .display(let reason): "cannot open a window: \(reason)"
        }
    }
}

/// Whether this build has the SDL trait (window, PNG, GIF).
public var visualizerHasSDL: Bool {
    #if SDL
    true
    #else
    false
    #endif
}

/// Checks that `url`'s folder exists and is writable, so a bad path fails before any work.
public func checkWritable(_ url: URL) throws {
    var isDirectory: ObjCBool = false
    let folder = url.deletingLastPathComponent().path
    let path = folder.isEmpty ? "." : folder
    // A missing folder is made (`--record Results/images/x.gif` outside the repository).
    if !FileManager.default.fileExists(atPath: path) {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
          FileManager.default.isWritableFile(atPath: path) else {
        throw VisualizerError.cannotWrite(path: url.path, reason: "its folder cannot be made or is not writable")
    }
}

extension Canvas {
    /// Writes the canvas as a PNG (SDL2_image's encoder), atomically.
    public func writePNG(to url: URL) throws {
        try checkWritable(url)
        #if SDL
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        var renamed = false
        defer { if !renamed { unlink(temporary.path) } }  // a failed write leaves nothing behind
        var bytes = pixels.flatMap { [$0.red, $0.green, $0.blue, $0.alpha] }
        let status: Int32 = bytes.withUnsafeMutableBytes { raw in
            guard let surface = SDL_CreateRGBSurfaceWithFormatFrom(raw.baseAddress, Int32(width), Int32(height), 32,
                                                                   Int32(width * 4), SDL_PIXELFORMAT_RGBA32.rawValue) else { return -1 }
            defer { SDL_FreeSurface(surface) }
            return IMG_SavePNG(surface, temporary.path)
        }
        guard status == 0 else {
            throw VisualizerError.cannotWrite(path: url.path, reason: String(cString: SDL_GetError()))
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw VisualizerError.cannotWrite(path: url.path, reason: String(cString: strerror(errno)))
        }
        renamed = true
        #else
        throw VisualizerError.needsSDL("writing PNG screenshots")
        #endif
    }

    /// Reads a PNG back (for tests and tools).
    public static func readPNG(from url: URL) throws -> Canvas {
        #if SDL
        guard let loaded = IMG_Load(url.path) else {
            throw VisualizerError.cannotRead(path: url.path, reason: String(cString: SDL_GetError()))
        }
        defer { SDL_FreeSurface(loaded) }
        guard let surface = SDL_ConvertSurfaceFormat(loaded, SDL_PIXELFORMAT_RGBA32.rawValue, 0) else {
            throw VisualizerError.cannotRead(path: url.path, reason: String(cString: SDL_GetError()))
        }
        defer { SDL_FreeSurface(surface) }
        let (w, h, pitch) = (Int(surface.pointee.w), Int(surface.pointee.h), Int(surface.pointee.pitch))
        var canvas = Canvas(width: w, height: h)
        let base = surface.pointee.pixels.assumingMemoryBound(to: UInt8.self)
        for y in 0..<h {
            for x in 0..<w {
                let p = base + y * pitch + x * 4
                canvas[x, y] = Color(p[0], p[1], p[2], alpha: p[3])
            }
        }
        return canvas
        #else
        throw VisualizerError.needsSDL("reading PNG files")
        #endif
    }
}

/// Frames appended one by one and written as an animated GIF (giflib) on `finish`, with a fixed
/// palette: a 6×6×6 colour cube and 40 greys.
public final class GIFRecorder {
    public let url: URL
    public let delayCentiseconds: Int
    private var frames: [Canvas] = []

    public init(url: URL, framesPerSecond: Double) throws {
        try checkWritable(url)
        #if !SDL
        throw VisualizerError.needsSDL("recording GIFs")
        #endif
        self.url = url
        delayCentiseconds = Swift.max(2, Int((100 / framesPerSecond).rounded()))
    }

    public var frameCount: Int { frames.count }
    public func append(_ canvas: Canvas) { frames.append(canvas) }

    static let palette: [Color] = {
        var colours: [Color] = []
        for r in 0..<6 { for g in 0..<6 { for b in 0..<6 { colours.append(Color(UInt8(r * 51), UInt8(g * 51), UInt8(b * 51))) } } }
        for i in 0..<40 { colours.append(Color(UInt8(i * 255 / 39), UInt8(i * 255 / 39), UInt8(i * 255 / 39))) }
        return colours
    }()

    static func index(of c: Color) -> UInt8 {
        // Near-grey pixels use the finer grey ramp; the rest the nearest cube colour.
        let (r, g, b) = (Int(c.red), Int(c.green), Int(c.blue))
        if Swift.max(r, g, b) - Swift.min(r, g, b) < 12 { return UInt8(216 + ((r + g + b) / 3 * 39 + 127) / 255) }
        func level(_ v: Int) -> Int { (v + 25) / 51 }
        return UInt8(level(r) * 36 + level(g) * 6 + level(b))
    }

    public func finish() throws {
        guard let first = frames.first else { throw VisualizerError.cannotWrite(path: url.path, reason: "no frames were recorded") }
        #if SDL
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        var renamed = false
        defer { if !renamed { unlink(temporary.path) } }  // a failed write leaves nothing behind
        var error: Int32 = 0
        guard let file = EGifOpenFileName(temporary.path, false, &error) else {
            throw VisualizerError.cannotWrite(path: url.path, reason: String(cString: GifErrorString(error)))
        }
        func fail() -> VisualizerError { VisualizerError.cannotWrite(path: url.path, reason: String(cString: GifErrorString(file.pointee.Error))) }
        var entries = Self.palette.map { GifColorType(Red: $0.red, Green: $0.green, Blue: $0.blue) }
        let map = GifMakeMapObject(256, &entries)
        defer { GifFreeMapObject(map) }
        EGifSetGifVersion(file, true)
        guard EGifPutScreenDesc(file, Int32(first.width), Int32(first.height), 8, 0, map) == GIF_OK else { throw fail() }
        // Netscape's looping extension: play forever.
        var netscape = Array("NETSCAPE2.0".utf8), loop: [UInt8] = [1, 0, 0]
        guard EGifPutExtensionLeader(file, APPLICATION_EXT_FUNC_CODE) == GIF_OK,
              EGifPutExtensionBlock(file, 11, &netscape) == GIF_OK,
              EGifPutExtensionBlock(file, 3, &loop) == GIF_OK,
              EGifPutExtensionTrailer(file) == GIF_OK else { throw fail() }
        for frame in frames {
            var control: [UInt8] = [0x04, UInt8(delayCentiseconds & 0xFF), UInt8(delayCentiseconds >> 8), 0]
            guard EGifPutExtension(file, GRAPHICS_EXT_FUNC_CODE, 4, &control) == GIF_OK,
                  EGifPutImageDesc(file, 0, 0, Int32(frame.width), Int32(frame.height), false, nil) == GIF_OK else { throw fail() }
            var line = [GifPixelType](repeating: 0, count: frame.width)
            for y in 0..<frame.height {
                for x in 0..<frame.width { line[x] = Self.index(of: frame[x, y]) }
                guard EGifPutLine(file, &line, Int32(frame.width)) == GIF_OK else { throw fail() }
            }
        }
        guard EGifCloseFile(file, &error) == GIF_OK else {
            throw VisualizerError.cannotWrite(path: url.path, reason: String(cString: GifErrorString(error)))
        }
        chmod(temporary.path, 0o644)  // giflib creates files readable by their owner only
        guard rename(temporary.path, url.path) == 0 else {
            throw VisualizerError.cannotWrite(path: url.path, reason: String(cString: strerror(errno)))
        }
        renamed = true
        #endif
    }

    /// Frames in a GIF file (giflib's decoder), for tests.
    public static func frameCount(of url: URL) throws -> Int {
        #if SDL
        var error: Int32 = 0
        guard let file = DGifOpenFileName(url.path, &error) else {
            throw VisualizerError.cannotRead(path: url.path, reason: String(cString: GifErrorString(error)))
        }
        defer { DGifCloseFile(file, &error) }
        guard DGifSlurp(file) == GIF_OK else {
            throw VisualizerError.cannotRead(path: url.path, reason: String(cString: GifErrorString(file.pointee.Error)))
        }
        return Int(file.pointee.ImageCount)
        #else
        throw VisualizerError.needsSDL("reading GIFs")
        #endif
    }
}
