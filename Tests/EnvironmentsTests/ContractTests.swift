import Drawing
import Environments
import Foundation
import RL
import Random
import TestSupport
import Testing

@Suite("The environment contract")
struct ContractTests {
    @Test(arguments: environments.ids)
    func everyRegisteredEnvironmentPassesTheChecker(id: String) throws {
        let problems = try checkEnvironment { try environments.make(id) }
        #expect(problems.isEmpty, "\(id): \(problems)")
    }

    @Test func checkerCatchesABrokenEnvironment() throws {
        // An environment whose observations leave its space and whose episodes ignore the seed.
        struct Broken: Environment, DynamicEnvironment {
            var counter = 0
            var observationSpace: Space { .discrete(3) }
            var actionSpace: Space { .discrete(2) }
            mutating func reset(seed: UInt64?) -> (observation: Int, info: Info) { counter += 1; return (counter, [:]) }
            mutating func step(_ action: Int) -> Transition<Int> {
                Transition(observation: counter + 5, reward: .nan, terminated: false, truncated: false)
            }
            func renderText() -> String { "" }
            var scene: any Scene { BlankScene() }
        }
        let problems = checkEnvironment(steps: 5) { Broken() }
        #expect(problems.contains { $0.contains("outside") })
        #expect(problems.contains { $0.contains("not finite") })
        #expect(problems.contains { $0.contains("did not reproduce") })
    }

    @Test func timeLimitTruncatesAndResets() {
        var environment = TimeLimit(MountainCar(), maxEpisodeSteps: 3)
        _ = environment.reset(seed: 1)
        let flags = (0..<3).map { _ in environment.step(1).truncated }
        #expect(flags == [false, false, true])
        _ = environment.reset(seed: nil)
        #expect(environment.elapsedSteps == 0)
    }

    @Test func episodeStatisticsReportsTheEpisodeInItsInfo() {
        // Gymnasium's RecordEpisodeStatistics: info["episode"] = {"r": return, "l": length} at the end.
        var environment = EpisodeStatistics(TimeLimit(MountainCar(), maxEpisodeSteps: 3))
        let (_, info) = environment.reset(seed: 1)
        #expect(info.isEmpty)
        let infos = (0..<3).map { _ in environment.step(1).info }
        #expect(infos[0].isEmpty && infos[1].isEmpty)
        #expect(infos[2]["episode"] == .dictionary(["r": -3, "l": 3]), "\(infos[2])")
    }

    @Test func cartPoleRegistrationMatchesGymnasiumMake() throws {
        // 500 steps of a pole that never falls end truncated, never terminated.
        var environment = try environments.make("CartPole-v1")
        _ = environment.resetFlat(seed: 3)
        try environment.setStateFlat([0, 0, 0, 0])
        var last = Transition<[Float]>(observation: [], reward: 0, terminated: false, truncated: false)
        var steps = 0
        while !last.isLast {
            let theta = Double(last.observation.isEmpty ? 0 : last.observation[2])
            let thetaDot = Double(last.observation.isEmpty ? 0 : last.observation[3])
            last = try environment.stepFlat([theta + 0.5 * thetaDot > 0 ? 1 : 0])
            steps += 1
        }
        #expect(steps == 500 && last.truncated && !last.terminated)
    }

    @Test func episodeStatisticsRecordReturnsAndLengths() {
        var environment = EpisodeStatistics(TimeLimit(CliffWalking(), maxEpisodeSteps: 4), historyLength: 2)
        for _ in 0..<3 {
            _ = environment.reset(seed: 0)
            _ = environment.step(1)  // right from the start: into the cliff, −100, back to start
            for _ in 0..<3 { _ = environment.step(0) }  // up, up, up: −1 each; truncated on the fourth step
        }
        #expect(environment.episodeCount == 3)
        #expect(environment.history == Array(repeating: EpisodeRecord(totalReward: -103, length: 4), count: 2))
    }

    @Test func observationNormalisationTracksRunningStatistics() {
        var environment = NormalizeObservation(TimeLimit(CartPole(), maxEpisodeSteps: 50))
        var generator = RandomGenerator(seed: 0)
        var raw: [[Double]] = []
        var inner = TimeLimit(CartPole(), maxEpisodeSteps: 50)
        _ = environment.reset(seed: 5)
        raw.append(inner.reset(seed: 5).observation.flatValues.map(Double.init))
        for _ in 0..<200 {
            let action = generator.nextInt(below: 2)
            let t = environment.step(action), u = inner.step(action)
            raw.append(u.observation.flatValues.map(Double.init))
            if t.isLast {
                _ = environment.reset(seed: nil)
                raw.append(inner.reset(seed: nil).observation.flatValues.map(Double.init))
            }
        }
        // The running mean equals the plain mean of everything seen (up to the ε prior).
        for i in 0..<4 {
            let mean = raw.map { $0[i] }.reduce(0, +) / Double(raw.count)
            #expect(Swift.abs(environment.statistics.mean[i] - mean) < 1e-5)
        }
    }

    @Test func registryGivesClearErrors() {
        expectError("unknown environment id 'CartPole-v0'", "CartPole-v1") { _ = try environments.make("CartPole-v0") }
        #expect(throws: EnvironmentError.unknownOption(id: "FrozenLake-v1", option: "slippery",
                                                     known: ["map_name", "is_slippery", "success_rate", "desc"])) {
            try environments.make("FrozenLake-v1", options: ["slippery": "false"])
        }
        expectError("FrozenLake-v1 option map_name=5x5 is invalid") { _ = try environments.make("FrozenLake-v1", options: ["map_name": "5x5"]) }
        expectError("FrozenLake-v1 option is_slippery=maybe is invalid") {
            _ = try environments.make("FrozenLake-v1", options: ["is_slippery": "maybe"])
        }
        var cartPole = try? environments.make("CartPole-v1")
        expectError("invalid action: 2.0 is not in") { _ = try cartPole?.stepFlat([2]) }
        expectError("invalid state: CartPole takes x, ẋ, θ, θ̇ (4 numbers), got 2") { try cartPole?.setStateFlat([1, 2]) }
    }

    @Test func frozenLakeOptionsAndCustomMaps() throws {
        var lake = try environments.make("FrozenLake-v1", options: ["desc": "SFG", "is_slippery": "false"])
        #expect(lake.observationSpace == .discrete(3))
        _ = lake.resetFlat(seed: 0)
        _ = try lake.stepFlat([2])
        let end = try lake.stepFlat([2])
        #expect(end.reward == 1 && end.terminated)
        #expect(lake.renderText().contains("@"))
    }
}

@Suite("Scenes for the visualizer")
struct SceneTests {
    @Test(arguments: environments.ids)
    func everyEnvironmentDescribesItself(id: String) throws {
        var environment = try environments.make(id)
        _ = environment.resetFlat(seed: 1)
        let scene = environment.scene
        if let grid = scene as? GridScene {
            #expect(grid.cells.count == grid.rows * grid.columns && grid.cells.indices.contains(grid.agent))
            #expect(grid.cells[grid.agent] != .wall, "\(id): the agent stands in a wall")
        }
        #expect(scene.size.width > 0 && scene.size.height > 0)
        #expect(scene.rendered().pixels.contains { $0 != .white }, "\(id) draws nothing")
        #expect(!environment.renderText().isEmpty)
    }

    @Test func scenesFollowTheState() throws {
        var cartPole = try environments.make("CartPole-v1")
        _ = cartPole.resetFlat(seed: 0)
        try cartPole.setStateFlat([0.5, 0, -0.1, 0])
        #expect(cartPole.scene as? CartPoleScene == CartPoleScene(position: 0.5, angle: -0.1, trackLimit: 2.4))
        let lake = try environments.make("FrozenLake8x8-v1")
        let grid = try #require(lake.scene as? GridScene)
        #expect(grid.rows == 8 && grid.columns == 8 && grid.agent == 0 && grid.wind == nil)
        #expect(grid.cells.filter { $0 == .hole }.count == 10 && grid.cells[63] == .goal)
        var windy = try environments.make("WindyGridworld-v0")
        _ = windy.resetFlat(seed: 0)
        let windyGrid = try #require(windy.scene as? GridScene)
        #expect(windyGrid.rows == 7 && windyGrid.columns == 10 && windyGrid.agent == 30)
        #expect(windyGrid.wind == [0, 0, 0, 1, 1, 1, 2, 2, 1, 0])
    }
}
