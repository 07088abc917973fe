import Agents
import Environments
import Foundation
import NN
import RL
import Tensor
import TestSupport
import Testing
import Training

/// Trains `agent` on `env` with the zoo's settings for each seed through `learn`, as `athanor
/// train --preset zoo --eval-freq` does, and returns for each seed the best of its periodic
/// deterministic evaluations: rl-baselines3-zoo's protocol (`EvalCallback`).
///
/// One seed's final policy is one chaotic trajectory: its last bits depend on the CPU and the
/// OpenBLAS kernels, and DQN's (SB3's too) collapses late on some seeds. What a learning test
/// asserts is that the algorithm learns, so it looks at several seeds' best models and takes
/// the median, with the zoo's full budget as margin.
private func bestEvaluations(_ agent: String, on env: String, seeds: [UInt64] = [0, 1, 2], settings: [String] = [],
                             evaluations: Int = 20) throws -> [Double] {
    try seeds.map { seed in
        let config = try DeepAgents.configuration(agent: agent, environmentID: env, recipe: .init(preset: "zoo", settings: settings))
        let learner = try DeepAgents.make(agent: agent, configuration: config, environment: environments.make(env), seed: seed)
        let evaluation = EvalCallback(every: learner.totalSteps / evaluations, episodes: 10, seed: 20_000 + seed,
                                      environment: EnvironmentReference(env))
        try learner.learn(callbacks: [evaluation])
        return evaluation.best?.mean ?? -.infinity
    }
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Every parameter and optimiser buffer of a checkpoint, by name.
private func tensors(_ agent: any DeepAgent) throws -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: try agent.checkpoint().tensors.map { ($0.name, $0.tensor.scalars) })
}

/// The scores, for the log (scripts/check-portability.sh collects these lines) and the failure message.
private func report(_ what: String, _ scores: [Double]) -> String {
    let line = "\(what), best evaluation per seed: \(scores.map { String(format: "%.1f", $0) }.joined(separator: ", "))"
    print("learning score: \(line)")
    return line
}

@Suite("Deep agents learn classic control (rl-baselines3-zoo settings, best periodic evaluation, median of 3 seeds)")
struct DeepAgentsLearnTests {
    // The zoo publishes 500 on CartPole-v1 for all of PPO, A2C and DQN, from the best model of its
    // periodic evaluations; a random policy scores about 22.
    @Test func ppoSolvesCartPoleIn100kSteps() throws {
        let best = try bestEvaluations("ppo", on: "CartPole-v1")
        let line = report("PPO CartPole-v1", best)
        #expect(median(best) >= 475, "\(line)")
    }

    @Test func a2cSolvesCartPole() throws {
        let best = try bestEvaluations("a2c", on: "CartPole-v1")
        let line = report("A2C CartPole-v1", best)
        #expect(median(best) >= 475, "\(line)")
    }

    @Test func dqnSolvesCartPoleIn50kSteps() throws {
        let best = try bestEvaluations("dqn", on: "CartPole-v1")
        let line = report("DQN CartPole-v1", best)
        #expect(median(best) >= 475, "\(line)")
    }

    @Test func reinforceWithBaselineLearnsCartPole() throws {
        let best = try bestEvaluations("reinforce", on: "CartPole-v1")
        let line = report("REINFORCE CartPole-v1", best)
        #expect(median(best) >= 450, "\(line)")
    }

    @Test func ppoSwingsUpPendulumWithAGaussianPolicy() throws {
        // A random policy scores about −1200; the zoo's PPO −172 ± 104.
        let best = try bestEvaluations("ppo", on: "Pendulum-v1")
        let line = report("PPO Pendulum-v1", best)
        #expect(median(best) >= -300, "\(line)")
    }

    @Test func sacSwingsUpPendulum() throws {
        // The zoo's settings with 64-unit layers and a quarter of its 2e4 steps (a sixteenth of the
        // compute per step); random play scores about −1200, the zoo's SAC −157.0 ± 88.7.
        let best = try bestEvaluations("sac", on: "Pendulum-v1", settings: ["n_timesteps=5000", "net_arch=64,64"])
        let line = report("SAC (64 units, 5000 steps) Pendulum-v1", best)
        #expect(median(best) >= -400, "\(line)")
    }

    @Test func td3SwingsUpPendulum() throws {
        // As above, learning from step 1000 and training every step (the zoo waits 10 000 steps).
        let best = try bestEvaluations("td3", on: "Pendulum-v1", settings: [
            "n_timesteps=6000", "net_arch=64,64", "learning_starts=1000", "train_freq=1", "gradient_steps=1"])
        let line = report("TD3 (64 units, 6000 steps) Pendulum-v1", best)
        #expect(median(best) >= -400, "\(line)")
    }

    @Test func ppoWithASharedTrunkLearnsCartPole() throws {
        let best = try bestEvaluations("ppo", on: "CartPole-v1", settings: ["shared_network=true"])
        let line = report("PPO (shared trunk) CartPole-v1", best)
        #expect(median(best) >= 450, "\(line)")
    }

    @Test func doubleDuelingDQNLearnsCartPole() throws {
        // The zoo's CartPole settings with 64-unit layers (a quarter of the compute).
        let best = try bestEvaluations("double-dqn", on: "CartPole-v1", settings: ["dueling=true", "net_arch=64,64"])
        let line = report("Double DQN (dueling, 64 units) CartPole-v1", best)
        #expect(median(best) >= 400, "\(line)")
    }

    @Test func evaluatingDoesNotChangeTraining() throws {
        // Deterministic evaluation draws nothing from the agent's generator: the same run with and
        // without periodic evaluations ends with the same weights, bit for bit.
        func train(evaluating: Bool) throws -> [String: [Float]] {
            let config = try DeepAgents.configuration(agent: "ppo", environmentID: "CartPole-v1",
                                                      recipe: .init(settings: ["n_steps=64", "normalize=true"]))
            let learner = try DeepAgents.make(agent: "ppo", configuration: config, environment: environments.make("CartPole-v1"),
                                              seed: 4, totalSteps: 640)
            let evaluation = EvalCallback(every: 128, episodes: 2, seed: 1, environment: EnvironmentReference("CartPole-v1"))
            try learner.learn(callbacks: evaluating ? [evaluation] : [])
            #expect(!evaluating || evaluation.best != nil)
            return try tensors(learner)
        }
        #expect(try train(evaluating: true) == train(evaluating: false))
    }
}

@Suite("Deep agents: checkpoints, resumption, hyper-parameters, divergence")
struct DeepAgentsContractTests {
    /// Two iterations, a checkpoint through bytes, two more iterations in a fresh agent, must
    /// equal four iterations straight: weights, optimiser moments, everything.
    @Test(arguments: ["ppo", "a2c", "reinforce", "dqn"])
    func resumingContinuesExactly(agent: String) throws {
        let settings: [String] = switch agent {
        case "dqn": ["learning_starts=100", "train_freq=64", "gradient_steps=8", "buffer_size=1000"]
        case "ppo": ["n_steps=64", "batch_size=128", "n_epochs=2", "normalize=true"]
        default: []
        }
        let config = try DeepAgents.configuration(agent: agent, environmentID: "CartPole-v1", recipe: .init(settings: settings))
        func fresh() throws -> any DeepAgent {
            try DeepAgents.make(agent: agent, configuration: config, environment: environments.make("CartPole-v1"), seed: 3, totalSteps: 100_000)
        }
        let straight = try fresh()
        for _ in 0..<4 { _ = try straight.iterate() }
        let first = try fresh()
        for _ in 0..<2 { _ = try first.iterate() }
        let saved = try SafeTensors.decode(first.checkpoint().encoded())
        let resumed = try fresh()
        try resumed.restore(from: saved)
        for _ in 0..<2 { _ = try resumed.iterate() }
        #expect(resumed.stepsDone == straight.stepsDone)
        #expect(try tensors(resumed) == tensors(straight))
    }

    @Test func aCheckpointFromAnotherAgentIsRefused() throws {
        let ppo = try DeepAgents.make(agent: "ppo", configuration: PPOHyperparameters(),
                                      environment: environments.make("CartPole-v1"), seed: 0)
        let a2c = try DeepAgents.make(agent: "a2c", configuration: A2CHyperparameters(),
                                      environment: environments.make("CartPole-v1"), seed: 0)
        expectError("checkpoint: it was written by agent 'ppo', not 'a2c'") { try a2c.restore(from: ppo.checkpoint()) }
    }

    @Test func hyperParametersUseSB3NamesAndCheckValues() throws {
        let zoo = try PPOHyperparameters.zoo(for: "CartPole-v1")
        #expect(zoo.nSteps == 32 && zoo.batchSize == 256 && zoo.nEpochs == 20 && zoo.learningRate == .linear(1e-3))
        let changed = try zoo.setting(["n_steps=64", "learning_rate=lin_0.0005", "target_kl=0.02", "net_arch=32,32", "normalize=true"])
        #expect(changed.nSteps == 64 && changed.learningRate == .linear(5e-4) && changed.targetKl == 0.02)
        #expect(changed.netArch == [32, 32] && changed.normalize)
        #expect(try changed.setting("target_kl", to: "none").targetKl == nil)
        expectError("unknown hyper-parameter 'n_step'", "n_steps") { _ = try zoo.setting("n_step", to: "64") }
        expectError("hyper-parameter n_steps=many is invalid") { _ = try zoo.setting("n_steps", to: "many") }
        expectError("hyper-parameter gamma=1.5 is invalid: expected a number in 0…1") { _ = try zoo.setting("gamma", to: "1.5") }
        expectError("hyper-parameter n_steps=none is invalid") { _ = try zoo.setting("n_steps", to: "none") }
        // Round trip through the JSON a run directory stores.
        #expect(try PPOHyperparameters.decode(json: changed.json) == changed)
    }

    /// The learning rate that once made PPO diverge is refused, on `--set` and on the struct alike
    /// (divergence itself is reported as `TrainingError.nonFinite`: LearnTests' poisoned environment).
    @Test func aDivergentLearningRateIsRefused() throws {
        expectError("learning_rate=1e+30 is invalid: expected a number in (0, 1]") {
            _ = try PPOHyperparameters().setting(["learning_rate=1e30"])
        }
        var config = PPOHyperparameters()
        config.learningRate = .constant(1e30)
        expectError("learning_rate=1e+30 is invalid") { _ = try PPO(environment: environments.make("CartPole-v1"), config: config, seed: 0) }
    }

    @Test func continuousActionsAreClippedToTheBox() throws {
        let agent = try PPO(environment: environments.make("Pendulum-v1"), config: PPOHyperparameters().setting(["log_std_init=3"]), seed: 0)
        for _ in 0..<50 {
            let action = agent.act([1, 0, 0], deterministic: false)
            #expect(action.count == 1 && action[0] >= -2 && action[0] <= 2)
        }
    }
}
