import Agents
import Drawing
import Foundation
import NN
import RL
import TestSupport
import Testing
import Training

private func temporaryRun(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("athanor-training-\(UUID().uuidString)-\(name)")
}

private func ppo(steps: Int = 1024) throws -> PPO {
    let config = try PPOHyperparameters().setting(["n_steps=128", "batch_size=64", "n_epochs=2", "normalize=true"])
    return try PPO(environment: EnvironmentReference("CartPole-v1").make(), config: config, seed: 7, totalSteps: steps)
}

/// Every parameter and optimiser buffer of a checkpoint, by name.
private func tensors(_ agent: any DeepAgent) throws -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: try agent.checkpoint().tensors.map { ($0.name, $0.tensor.scalars) })
}

/// The metrics rows without the wall-clock column.
private func metrics(_ run: RunDirectory) throws -> [String] {
    try String(contentsOf: run.metricsCSVURL, encoding: .utf8).split(separator: "\n").map { row in
        let fields = row.split(separator: ",", omittingEmptySubsequences: false)
        return ([fields[0]] + fields.dropFirst(2)).joined(separator: ",")
    }
}

@Suite("The training loop as a library")
struct LearnTests {
    @Test func learnWritesARunDirectory() throws {
        let url = temporaryRun("ppo")
        defer { try? FileManager.default.removeItem(at: url) }
        let run = RunDirectory(url: url, environment: EnvironmentReference("CartPole-v1"))
        let agent = try ppo()
        let summary = try agent.learn(run: run, callbacks: [EvalCallback(every: 512, episodes: 2, seed: 1, environment: EnvironmentReference("CartPole-v1"))])
        #expect(summary.steps == 1024 && summary.curve.count == 8)
        // config.json is a real object: snake-case keys, the hyper-parameters in the agent's own names.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.configurationURL)) as? [String: Any])
        #expect(object["agent"] as? String == "ppo" && object["env"] as? String == "CartPole-v1" && object["total_steps"] as? Int == 1024)
        let hyperparameters = try #require(object["hyperparameters"] as? [String: Any])
        #expect(hyperparameters["n_steps"] as? Int == 128 && hyperparameters["normalize"] as? Bool == true)
        #expect((object["evaluation"] as? [String: Any])?["every"] as? Int == 512)
        for file in [run.metricsCSVURL, run.metricsJSONLURL, run.checkpointURL, run.bestURL] {
            #expect(FileManager.default.fileExists(atPath: file.path), "\(file.lastPathComponent)")
        }
        // What load(from:) gives is the agent as it ended.
        let loaded = try PPO.load(from: run)
        #expect(try loaded.stepsDone == 1024 && tensors(loaded) == tensors(agent))
        expectError("holds a ppo run, not dqn") { _ = try DQN.load(from: run) }
    }

    @Test func aResumedRunEqualsOneNeverInterrupted() throws {
        let straightURL = temporaryRun("straight"), resumedURL = temporaryRun("resumed")
        defer { for url in [straightURL, resumedURL] { try? FileManager.default.removeItem(at: url) } }
        let cartPole = EnvironmentReference("CartPole-v1")
        let straightRun = RunDirectory(url: straightURL, environment: cartPole)
        let straight = try ppo()
        try straight.learn(run: straightRun, callbacks: [EvalCallback(every: 256, episodes: 2, seed: 1, environment: cartPole)])

        // Stop halfway (as a crash after the checkpoint at 512 steps would), then load and go on.
        let resumedRun = RunDirectory(url: resumedURL, environment: cartPole)
        let first = try ppo()
        try first.learn(totalSteps: 512, run: resumedRun, callbacks: [EvalCallback(every: 256, episodes: 2, seed: 1, environment: cartPole)])
        let evaluation = EvalCallback(every: 256, episodes: 2, seed: 1, environment: cartPole)
        let resumed = try PPO.load(from: RunDirectory(url: resumedURL))
        #expect(resumed.stepsDone == 512)
        try resumed.learn(run: RunDirectory(url: resumedURL), callbacks: [evaluation])

        #expect(try tensors(resumed) == tensors(straight))
        #expect(try metrics(RunDirectory(url: resumedURL)) == metrics(straightRun))
        #expect(evaluation.best != nil)
    }

    /// A benchmark keeps a curve's change points: every step reads the same value from them as from the
    /// whole curve (the last finite point at or before it), the points before the first episode go, the last stays.
    @Test func aCurvesChangePointsDrawTheSameStepPlot() throws {
        let means: [Double] = [.nan, .nan, -5, -5, -5, -3, -3, -4, -4, -4]
        let curve = means.enumerated().map { CurvePoint(steps: 10 * ($0.offset + 1), meanReturn: $0.element) }
        let kept = curve.changePoints
        #expect(kept.map(\.steps) == [30, 60, 80, 100])
        func value(_ points: [CurvePoint], at step: Int) -> Double? { points.last { $0.steps <= step && $0.meanReturn.isFinite }?.meanReturn }
        for step in 0...110 { #expect(value(kept, at: step) == value(curve, at: step), "step \(step)") }
        #expect([CurvePoint(steps: 1, meanReturn: .nan)].changePoints.count == 1, "a run without an episode keeps its last point")
    }

    @Test func aNewRunNeedsItsEnvironment() throws {
        let url = temporaryRun("no-environment")
        defer { try? FileManager.default.removeItem(at: url) }
        expectError("needs its environment") { try ppo().learn(run: RunDirectory(url: url)) }
        expectError("is not a run directory (no config.json)") { _ = try PPO.load(from: RunDirectory(url: url)) }
    }

    @Test func aDivergingRunStopsWithTheReason() throws {
        #expect(throws: HyperparameterError.self) { try PPOHyperparameters().setting(["learning_rate=1e30"]) }
        // An environment that starts handing out NaN stops every agent with the reason, never a trap.
        for agent in ["ppo", "a2c", "reinforce", "dqn"] {
            let configuration = try DeepAgents.configuration(agent: agent, environmentID: "CartPole-v1", recipe: .init())
            let learner = try DeepAgents.make(agent: agent, configuration: configuration, environment: Poisoned(afterSteps: 300),
                                              seed: 0, totalSteps: 5_000)
            expectError("training diverged: an observation or reward of the environment") { try learner.learn() }
        }
    }
}

/// A one-dimensional task whose observations turn to NaN after `afterSteps` steps.
private struct Poisoned: Environment, DynamicEnvironment {
    let afterSteps: Int
    var steps = 0
    var observationSpace: Space { .box(low: -1, high: 1, shape: [1]) }
    var actionSpace: Space { .discrete(2) }
    mutating func reset(seed: UInt64?) -> (observation: [Float], info: Info) { ([0], [:]) }
    mutating func step(_ action: Int) -> Transition<[Float]> {
        steps += 1
        return Transition(observation: [steps > afterSteps ? .nan : 0.5], reward: 1, terminated: steps % 20 == 0, truncated: false)
    }
    func renderText() -> String { "" }
    var scene: any Scene { BlankScene() }
}
