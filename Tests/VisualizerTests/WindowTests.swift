import Foundation
import Testing
import Visualizer
#if SDL
import CSDL2

@Suite("The watch window answers its keys", .serialized)
struct WindowTests {
    /// Key presses posted to SDL's queue, as a user's would arrive, on the offscreen driver.
    @Test func keysMapToCommands() throws {
        setenv("SDL_VIDEODRIVER", "offscreen", 1)
        let window = try Window(title: "test", width: 100, height: 80)
        window.show(Canvas(width: 120, height: 90))
        let keys: [(Int32, WatchCommand)] = [
            (Int32(SDLK_SPACE.rawValue), .togglePause), (Int32(SDLK_RIGHT.rawValue), .singleStep), (Int32(SDLK_r.rawValue), .reset),
            (Int32(SDLK_PLUS.rawValue), .faster), (Int32(SDLK_MINUS.rawValue), .slower), (Int32(SDLK_q.rawValue), .quit),
            (Int32(SDLK_ESCAPE.rawValue), .quit),
        ]
        for (key, _) in keys {
            var event = SDL_Event()
            event.type = SDL_KEYDOWN.rawValue
            event.key.keysym.sym = key
            #expect(SDL_PushEvent(&event) == 1)
        }
        var quit = SDL_Event()
        quit.type = SDL_QUIT.rawValue
        #expect(SDL_PushEvent(&quit) == 1)
        #expect(window.commands() == keys.map(\.1) + [.quit])
    }
}
#endif
