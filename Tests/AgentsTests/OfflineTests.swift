import Agents
import Datasets
import Environments
import Foundation
import NN
import RL
import Tensor
import Testing
import Training

/// What scripts/make_offline_fixtures.py computed with PyTorch in d3rlpy's formulas.
private struct OfflineFixture: Decodable {
    let q: [Float], q_next: [Float], q_target_next: [Float], logits: [Float], logits_next: [Float]
    let actions: [Int], rewards: [Float], terminals: [Float]
    let gamma: Float, tau: Double, beta: Double, batch: Int, action_count: Int
    let conservative: Float, ddqn_error: Float, bcq_next_actions: [Int], bcq_ddqn_error: Float, imitation: Float
    let iql_q: [Float], iql_v: [Float], expectile: Float, expectile_loss: Float
}

/// A CartPole dataset from a fixed linear controller (balances every episode for 500 steps), with a
/// share `epsilon` of uniformly random actions, written as a Minari folder; returns its path.
private func controllerDataset(episodes: Int, epsilon: Double, seed: UInt64) throws -> String {
    var generator = RandomGenerator(seed: seed)
    let dataset = try OfflineDataset.collect(on: environments.make("CartPole-v1"), episodes: episodes, seed: seed, environmentID: "CartPole-v1") { s in
        if generator.nextUniformDouble() < epsilon { return [Float(generator.nextInt(below: 2))] }
        return [s[2] + 0.5 * s[3] > 0 ? 1 : 0]
    }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-offline-\(UUID().uuidString)")
    try MinariFormat.write(dataset, to: folder, datasetID: "athanor/cartpole-controller-v0", observationBounds: ([-4.8, -1e9, -0.42, -1e9], [4.8, 1e9, 0.42, 1e9]),
                           actionBounds: nil)
    return folder.path
}

@Suite("Offline agents: BC, discrete CQL and BCQ")
struct OfflineTests {
    private func fixture() throws -> OfflineFixture {
        let url = try #require(Bundle.module.url(forResource: "offline_losses", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(OfflineFixture.self, from: Data(contentsOf: url))
    }

    /// CQL's logsumexp regulariser, the Double DQN error and BCQ's filtered argmax equal PyTorch's.
    @Test func lossesMatchPyTorchInD3rlpysForm() throws {
        let f = try fixture()
        let path = try controllerDataset(episodes: 1, epsilon: 0.5, seed: 1)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let shape = [f.batch, f.action_count]
        let cql = try DiscreteCQL(environment: environments.make("CartPole-v1"), config: DiscreteCQLHyperparameters().setting(["dataset=\(path)"]), seed: 0)
        let conservative = cql.conservativeRegulariser(Tensor(f.q, shape: shape), actions: f.actions).item
        #expect(abs(conservative - f.conservative) < 1e-5, "\(conservative) vs \(f.conservative)")
        let taken = Tensor(f.q, shape: shape).gather(alongLastAxis: f.actions)
        func error(_ next: [Int]) -> Float {
            doubleDQNError(taken: taken, targetNext: Tensor(f.q_target_next, shape: shape), nextActions: next, rewards: f.rewards,
                           terminated: f.terminals, gamma: f.gamma).item
        }
        let greedy = Tensor(f.q_next, shape: shape).argmax(alongAxis: 1)
        #expect(abs(error(greedy) - f.ddqn_error) < 1e-5)
        let bcq = try DiscreteBCQ(environment: environments.make("CartPole-v1"),
                                  config: DiscreteBCQHyperparameters().setting(["dataset=\(path)", "action_flexibility=\(f.tau)"]), seed: 0)
        let filtered = bcq.filteredBestActions(q: Tensor(f.q_next, shape: shape), logits: Tensor(f.logits_next, shape: shape))
        #expect(filtered == f.bcq_next_actions)
        #expect(abs(error(filtered) - f.bcq_ddqn_error) < 1e-5)
        let logits = Tensor(f.logits, shape: shape)
        let imitation = (Loss.crossEntropy(logits: logits, targets: f.actions) + Float(f.beta) * (logits * logits).mean()).item
        #expect(abs(imitation - f.imitation) < 1e-5)
        let expectile = IQL.expectileLoss(Tensor(f.iql_q), Tensor(f.iql_v), expectile: f.expectile).item
        #expect(abs(expectile - f.expectile_loss) < 1e-5, "\(expectile) vs \(f.expectile_loss)")
    }

    /// Behaviour cloning of an expert reaches ≥ 475 on CartPole (best of 3 seeds' evaluations ≥ 475 on the median).
    @Test func bcAndCQLOnExpertDataBalanceThePole() throws {
        let path = try controllerDataset(episodes: 10, epsilon: 0, seed: 2)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for agent in ["bc", "cql"] {
            var scores: [Double] = []
            for seed in [UInt64(0), 1, 2] {
                let config = try DeepAgents.configuration(agent: agent, environmentID: "CartPole-v1", recipe: .init(preset: "zoo", settings: ["dataset=\(path)"]))
                let learner = try DeepAgents.make(agent: agent, configuration: config, environment: environments.make("CartPole-v1"), seed: seed, totalSteps: 3000)
                let evaluation = EvalCallback(every: 1000, episodes: 5, seed: 50_000 + seed, environment: EnvironmentReference("CartPole-v1"))
                try learner.learn(callbacks: [evaluation])
                scores.append(evaluation.best?.mean ?? 0)
            }
            print("learning score: \(agent) on controller data (3000 gradient steps), best evaluation per seed: \(scores)")
            #expect(scores.sorted()[1] >= 475, "\(agent): \(scores)")
        }
    }

    /// IQL and TD3+BC on continuous data: a Pendulum dataset of random torques trains and resumes
    /// exactly, and their policies stay inside the action box.
    @Test(arguments: ["iql", "td3_bc", "bc"])
    func continuousOfflineAgentsTrainAndResume(agent: String) throws {
        var generator = RandomGenerator(seed: 6)
        let dataset = try OfflineDataset.collect(on: environments.make("Pendulum-v1"), episodes: 2, seed: 6, environmentID: "Pendulum-v1") { _ in
            [Float(generator.nextUniformDouble() * 4 - 2)]
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-offline-\(UUID().uuidString)")
        try MinariFormat.write(dataset, to: folder, datasetID: "athanor/pendulum-random-v0", observationBounds: ([-1, -1, -8], [1, 1, 8]), actionBounds: ([-2], [2]))
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try DeepAgents.configuration(agent: agent, environmentID: "Pendulum-v1",
                                                  recipe: .init(settings: ["dataset=\(folder.path)", "net_arch=16,16", "batch_size=8"]))
        func fresh() throws -> any DeepAgent {
            try DeepAgents.make(agent: agent, configuration: config, environment: environments.make("Pendulum-v1"), seed: 2, totalSteps: 1000)
        }
        let straight = try fresh(), first = try fresh(), resumed = try fresh()
        for _ in 0..<4 { _ = try straight.iterate() }
        for _ in 0..<2 { _ = try first.iterate() }
        try resumed.restore(from: SafeTensors.decode(first.checkpoint().encoded()))
        for _ in 0..<2 { _ = try resumed.iterate() }
        let a = try straight.checkpoint().tensors, b = try resumed.checkpoint().tensors
        #expect(a.map(\.name) == b.map(\.name) && zip(a, b).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })
        let torque = straight.act([1, 0, 0], deterministic: true)
        #expect(torque.count == 1 && abs(torque[0]) <= 2)
    }

    /// Offline runs resume exactly, and refuse a checkpoint once the data at the path changed.
    @Test(arguments: ["bc", "cql", "bcq", "iql"])
    func aResumedRunEqualsOneNeverInterrupted(agent: String) throws {
        let path = try controllerDataset(episodes: 2, epsilon: 0.3, seed: 3)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try DeepAgents.configuration(agent: agent, environmentID: "CartPole-v1",
                                                  recipe: .init(settings: ["dataset=\(path)", "net_arch=16,16", "batch_size=8"]))
        func fresh() throws -> any DeepAgent {
            try DeepAgents.make(agent: agent, configuration: config, environment: environments.make("CartPole-v1"), seed: 4, totalSteps: 1000)
        }
        let straight = try fresh(), first = try fresh(), resumed = try fresh()
        for _ in 0..<4 { _ = try straight.iterate() }
        for _ in 0..<2 { _ = try first.iterate() }
        let saved = try SafeTensors.decode(first.checkpoint().encoded())
        try resumed.restore(from: saved)
        for _ in 0..<2 { _ = try resumed.iterate() }
        #expect(resumed.stepsDone == 400)
        let a = try straight.checkpoint().tensors, b = try resumed.checkpoint().tensors
        #expect(a.map(\.name) == b.map(\.name) && zip(a, b).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })
        // Other data under the same path: the checkpoint is refused.
        try FileManager.default.removeItem(atPath: path)
        let other = try controllerDataset(episodes: 2, epsilon: 0.9, seed: 8)
        defer { try? FileManager.default.removeItem(atPath: other) }
        try FileManager.default.moveItem(atPath: other, toPath: path)
        #expect(throws: TrainingError.self) { try fresh().restore(from: saved) }
    }

    @Test func offlineAgentsNeedAFittingDataset() throws {
        let path = try controllerDataset(episodes: 1, epsilon: 0.5, seed: 5)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: TrainingError.self) { _ = try BC(environment: environments.make("CartPole-v1"), config: BCHyperparameters(), seed: 0) }
        #expect(throws: (any Error).self) {
            _ = try DiscreteCQL(environment: environments.make("Acrobot-v1"), config: DiscreteCQLHyperparameters().setting(["dataset=\(path)"]), seed: 0)
        }
        #expect(throws: TrainingError.self) {
            _ = try DiscreteBCQ(environment: environments.make("CartPole-v1"), config: DiscreteBCQHyperparameters().setting(["dataset=/no/such/file.npz"]), seed: 0)
        }
    }
}
