import Environments
import Foundation
import RL
import TestSupport
import Testing
import Visualizer

private func temporaryFile(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("athanor-\(UUID().uuidString)-\(name)")
}

@Suite("The visualizer draws what the state says")
struct VisualizerTests {
    /// CartPole at x = 0.5, θ = 0.3: the pole's pixels lie on the segment from the axle along
    /// (sin θ, −cos θ), as Gymnasium's renderer places it (125 px per metre, track 100 px up).
    func checkCartPole(_ canvas: Canvas) {
        let g = CartPoleScene(position: 0.5, angle: 0.3, trackLimit: 2.4).geometry
        #expect(g.axle.x == 0.5 * 125 + 300 && g.cartY == 300)
        for fraction in [0.3, 0.6, 0.9] {
            let x = Int(g.axle.x + (g.tip.x - g.axle.x) * fraction), y = Int(g.axle.y + (g.tip.y - g.axle.y) * fraction)
            #expect(canvas[x, y] == .pole, "pole pixel at \(fraction) of its length")
        }
        // The mirror image (the pole leaning the other way) is empty, the cart is where x puts it.
        let mirrored = (x: Int(2 * g.axle.x - g.tip.x), y: Int(g.tip.y))
        #expect(canvas[mirrored.x, mirrored.y] == .white)
        // The 50 px cart is centred on x (below the axle), and nothing is drawn beside it.
        #expect(canvas[Int(g.axle.x) - 20, Int(g.cartY) + 10] == .cart && canvas[Int(g.axle.x) + 40, Int(g.cartY) + 10] == .white)
    }

    @Test func cartPoleIsDrawnWhereTheStatePutsIt() throws {
        var cartPole = CartPole()
        _ = cartPole.reset(seed: 0)
        try cartPole.setState([0.5, 0, 0.3, 0])
        checkCartPole(SceneRenderer.render(cartPole.scene))
    }

    /// A planning agent's overlay: a panel under the scene, the real values left of "now" in black
    /// and the predicted ones right of it in the estimate colour.
    @Test func aPlannedTrajectoryIsDrawnUnderTheScene() throws {
        let scene = CartPoleScene(position: 0, angle: 0, trackLimit: 2.4)
        let plain = SceneRenderer.render(scene)
        let realised = (0..<6).map { [Double($0), 1.0] }, predicted = (0..<6).map { [5.0 - Double($0), 1.0] }
        let framed = SceneRenderer.render(scene, overlay: .trajectory(predicted: predicted, realised: realised))
        #expect(framed.width == plain.width && framed.height > plain.height)
        #expect((0..<plain.height).allSatisfy { y in (0..<plain.width).allSatisfy { framed[$0, y] == plain[$0, y] } })
        let panel = (plain.height..<framed.height).flatMap { y in (0..<framed.width).map { framed[$0, y] } }
        #expect(panel.contains(.estimate) && panel.contains(.black))
        // The first plot's left half (the past) has black ink and no predicted ink; the right half the reverse.
        let half = (framed.width - 10) / 2 / 2
        let left = (plain.height + 18..<framed.height - 10).flatMap { y in (5..<5 + half - 6).map { framed[$0, y] } }
        let right = (plain.height + 18..<framed.height - 10).flatMap { y in (5 + half + 4..<5 + 2 * half - 12).map { framed[$0, y] } }
        #expect(left.contains(.black) && !left.contains(.estimate))
        #expect(right.contains(.estimate))
    }

    @Test func cartPoleScreenshotRoundTrips() throws {
        let canvas = SceneRenderer.render(CartPoleScene(position: 0.5, angle: 0.3, trackLimit: 2.4), hud: "EP 1 STEP 0")
        let url = temporaryFile("cartpole.png")
        defer { try? FileManager.default.removeItem(at: url) }
        guard visualizerHasSDL else {
            expectError("PNG screenshots needs the SDL build") { try canvas.writePNG(to: url) }
            return
        }
        try canvas.writePNG(to: url)
        let read = try Canvas.readPNG(from: url)
        #expect(read.width == 600 && read.height == 400)
        checkCartPole(read)
        #expect(read == canvas)
    }

    @Test func frozenLakeColoursTheGoalAndTheAgent() throws {
        var lake = try environments.make("FrozenLake-v1", options: ["is_slippery": "false"])
        _ = lake.resetFlat(seed: 0)
        let scene = try #require(lake.scene as? GridScene)
        let (columns, cells, agent) = (scene.columns, scene.cells, scene.agent)
        var canvas = SceneRenderer.render(scene)
        if visualizerHasSDL {  // check the screenshot file, not just the canvas
            let url = temporaryFile("frozenlake.png")
            defer { try? FileManager.default.removeItem(at: url) }
            try canvas.writePNG(to: url)
            canvas = try Canvas.readPNG(from: url)
        }
        let size = scene.cellSize
        func centre(_ index: Int) -> Color { canvas[(index % columns) * size + size / 2, 28 + (index / columns) * size + size / 2] }
        let goal = try #require(cells.firstIndex(of: .goal))
        #expect(goal == 15 && centre(goal) == .goal)
        #expect(centre(agent) == .agent && agent == 0)
        #expect(centre(try #require(cells.firstIndex(of: .hole))) == .hole)
    }

    @Test func valueOverlayShadesCellsByValue() {
        let scene = GridScene(rows: 1, columns: 3, cells: [.empty, .empty, .empty], agent: 0)
        let canvas = SceneRenderer.render(scene, overlay: .tabular(values: [0, 0.5, 1], policy: nil))
        let size = scene.cellSize
        let low = canvas[size / 2 + size / 3, 28 + 4], high = canvas[2 * size + size / 2, 28 + 4]
        // The heatmap runs from ice blue (220, 235, 250) at the lowest value 80 % of the way to the
        // goal's green (40, 180, 70) at the highest: 220 − 0.8·180, 235 − 0.8·55, 250 − 0.8·180.
        #expect(low == Color(220, 235, 250) && high == Color(76, 191, 106), "low \(low), high \(high)")
    }

    @Test func recordedGIFHasOneImagePerFrame() throws {
        let url = temporaryFile("frames.gif")
        defer { try? FileManager.default.removeItem(at: url) }
        guard visualizerHasSDL else {
            expectError("needs the SDL build") { _ = try GIFRecorder(url: url, framesPerSecond: 30) }
            return
        }
        let recorder = try GIFRecorder(url: url, framesPerSecond: 30)
        for step in 0..<7 {
            recorder.append(SceneRenderer.render(PendulumScene(angle: Double(step) * 0.3, torque: 1), hud: "STEP \(step)"))
        }
        try recorder.finish()
        #expect(try GIFRecorder.frameCount(of: url) == 7)
    }

    @Test func badPathsAreClearErrors() {
        let canvas = Canvas(width: 4, height: 4)
        let sdl = visualizerHasSDL ? "cannot write /proc/athanor-nonexistent/x" : "needs the SDL build"
        expectError(sdl) { try canvas.writePNG(to: URL(fileURLWithPath: "/proc/athanor-nonexistent/x.png")) }
        expectError(sdl) { _ = try GIFRecorder(url: URL(fileURLWithPath: "/proc/athanor-nonexistent/x.gif"), framesPerSecond: 10) }
    }
}
