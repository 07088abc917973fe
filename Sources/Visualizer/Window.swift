#if SDL
import CSDL2
#endif

/// What a key press asks of a running `watch`.
public enum WatchCommand: Sendable, Equatable {
    case togglePause, singleStep, reset, faster, slower, quit
}

/// A window showing canvases as they come, with the keys of `athanor watch`: space pauses,
/// → single-steps, r resets, + / − change speed, q or Esc (or closing the window) quits.
public final class Window {
    #if SDL
    private let window: OpaquePointer
    private let renderer: OpaquePointer
    private var texture: OpaquePointer?
    private var size = (width: 0, height: 0)
    #endif

    public init(title: String, width: Int, height: Int) throws {
        #if SDL
        guard SDL_Init(UInt32(SDL_INIT_VIDEO)) == 0 else { throw VisualizerError.display(String(cString: SDL_GetError())) }
        let centred = Int32(0x2FFF_0000)  // SDL_WINDOWPOS_CENTERED
        guard let window = SDL_CreateWindow(title, centred, centred, Int32(width), Int32(height), 0) else {
            SDL_Quit()
            throw VisualizerError.display(String(cString: SDL_GetError()))
        }
        guard let renderer = SDL_CreateRenderer(window, -1, 0) ?? SDL_CreateRenderer(window, -1, UInt32(SDL_RENDERER_SOFTWARE.rawValue)) else {
            SDL_DestroyWindow(window)
            SDL_Quit()
            throw VisualizerError.display(String(cString: SDL_GetError()))
        }
        (self.window, self.renderer) = (window, renderer)
        #else
        throw VisualizerError.needsSDL("a window")
        #endif
    }

    deinit {
        #if SDL
        if let texture { SDL_DestroyTexture(texture) }
        SDL_DestroyRenderer(renderer)
        SDL_DestroyWindow(window)
        SDL_Quit()
        #endif
    }

    /// Shows the canvas (the window takes its size).
    public func show(_ canvas: Canvas) {
        #if SDL
        if size != (canvas.width, canvas.height) {
            if let texture { SDL_DestroyTexture(texture) }
            texture = SDL_CreateTexture(renderer, SDL_PIXELFORMAT_RGBA32.rawValue, Int32(SDL_TEXTUREACCESS_STREAMING.rawValue),
                                        Int32(canvas.width), Int32(canvas.height))
            SDL_SetWindowSize(window, Int32(canvas.width), Int32(canvas.height))
            size = (canvas.width, canvas.height)
        }
        let bytes = canvas.pixels.flatMap { [$0.red, $0.green, $0.blue, $0.alpha] }
        bytes.withUnsafeBytes { _ = SDL_UpdateTexture(texture, nil, $0.baseAddress, Int32(canvas.width * 4)) }
        SDL_RenderClear(renderer)
        SDL_RenderCopy(renderer, texture, nil, nil)
        SDL_RenderPresent(renderer)
        #endif
    }

    /// Key presses and window events since the last call.
    public func commands() -> [WatchCommand] {
        var result: [WatchCommand] = []
        #if SDL
        var event = SDL_Event()
        while SDL_PollEvent(&event) != 0 {
            if event.type == SDL_QUIT.rawValue { result.append(.quit); continue }
            guard event.type == SDL_KEYDOWN.rawValue else { continue }
            switch Int(event.key.keysym.sym) {
            case Int(SDLK_SPACE.rawValue): result.append(.togglePause)
            case Int(SDLK_RIGHT.rawValue): result.append(.singleStep)
            case Int(SDLK_r.rawValue): result.append(.reset)
            case Int(SDLK_PLUS.rawValue), Int(SDLK_EQUALS.rawValue), Int(SDLK_KP_PLUS.rawValue): result.append(.faster)
            case Int(SDLK_MINUS.rawValue), Int(SDLK_KP_MINUS.rawValue): result.append(.slower)
            case Int(SDLK_q.rawValue), Int(SDLK_ESCAPE.rawValue): result.append(.quit)
            default: break
            }
        }
        #endif
        return result
    }

    /// Waits, while still answering the window (so it never looks hung).
    public func wait(milliseconds: Int) {
        #if SDL
        SDL_Delay(UInt32(Swift.max(milliseconds, 0)))
        #endif
    }
}
