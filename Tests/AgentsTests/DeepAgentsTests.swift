import Agents
import Environments
import Foundation
import NN
import RL
import Tensor
import Testing

/// Trains with the zoo's settings and scores the final policy as `athanor train` does:
/// 20 deterministic episodes on a fresh environment seeded 10 000 + seed.
private func trainAndEvaluate(_ agent: String, on env: String, seed: UInt64 = 0, steps: Int? = nil,
                              settings: [String] = []) throws -> Double {
    setBLASThreadCount(1)  // as `athanor train` runs; tests run side by side on two cores
    let config = try DeepAgents.configuration(agent: agent, environmentID: env, recipe: .init(preset: "zoo", settings: settings))
    let learner = try DeepAgents.make(agent: agent, configuration: config, environment: environments.make(env), seed: seed, totalSteps: steps)
    while learner.stepsDone < learner.totalSteps { _ = try learner.iterate() }
    return try evaluatePolicy(on: environments.make(env), episodes: 20, seed: 10_000 + seed) {
        learner.act($0, deterministic: true)
    }.mean
}

/// Every parameter and optimiser buffer of a checkpoint, by name.
private func tensors(_ agent: any DeepAgent) throws -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: try agent.checkpoint().tensors.map { ($0.name, $0.tensor.scalars) })
}

@Suite("Deep agents learn classic control (rl-baselines3-zoo settings)")
struct DeepAgentsLearnTests {
    // Targets from the agents issue; the zoo's published scores are 500 for all three.
    @Test func ppoSolvesCartPoleIn100kSteps() throws {
        #expect(try trainAndEvaluate("ppo", on: "CartPole-v1") >= 475)
    }

    @Test func a2cSolvesCartPole() throws {
        #expect(try trainAndEvaluate("a2c", on: "CartPole-v1") >= 450)
    }

    @Test func dqnSolvesCartPoleIn50kSteps() throws {
        #expect(try trainAndEvaluate("dqn", on: "CartPole-v1") >= 450)
    }

    @Test func reinforceWithBaselineLearnsCartPole() throws {
        #expect(try trainAndEvaluate("reinforce", on: "CartPole-v1") >= 450)
    }

    @Test func ppoSwingsUpPendulumWithAGaussianPolicy() throws {
        // A random policy scores about −1200; the zoo's PPO −172 ± 104.
        #expect(try trainAndEvaluate("ppo", on: "Pendulum-v1") >= -300)
    }

    @Test func ppoWithASharedTrunkLearnsCartPole() throws {
        #expect(try trainAndEvaluate("ppo", on: "CartPole-v1", settings: ["shared_network=true"]) >= 400)
    }

    @Test func doubleDuelingDQNLearnsCartPole() throws {
        // The zoo's CartPole settings with 64-unit layers (a quarter of the compute); random play
        // scores ≈ 22. DQN's *final* greedy policy on CartPole collapses on some seeds — so does
        // Stable-Baselines3's (its five seeds end at 20, 500, 500, 193 and 500, RESULTS.md of the
        // anchors), and the seed that does depends on the last bit of arithmetic — so, as the zoo
        // reports the best model of its periodic evaluations, we evaluate the greedy policy every
        // 5,000 steps (10 episodes) and look at the best.
        setBLASThreadCount(1)
        let config = try DeepAgents.configuration(agent: "double-dqn", environmentID: "CartPole-v1",
                                                  recipe: .init(preset: "zoo", settings: ["dueling=true", "net_arch=64,64"]))
        let learner = try DeepAgents.make(agent: "double-dqn", configuration: config,
                                          environment: environments.make("CartPole-v1"), seed: 0, totalSteps: nil)
        var best = -Double.infinity, nextEvaluation = 5_000
        while learner.stepsDone < learner.totalSteps {
            _ = try learner.iterate()
            guard learner.stepsDone >= nextEvaluation else { continue }
            nextEvaluation += 5_000
            let score = try evaluatePolicy(on: environments.make("CartPole-v1"), episodes: 10, seed: 10_000) {
                learner.act($0, deterministic: true)
            }.mean
            best = Swift.max(best, score)
        }
        #expect(best >= 300, "best periodic evaluation \(best)")
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
        let ppo = try DeepAgents.make(agent: "ppo", configuration: PPOHyperparameters().json,
                                      environment: environments.make("CartPole-v1"), seed: 0)
        let a2c = try DeepAgents.make(agent: "a2c", configuration: A2CHyperparameters().json,
                                      environment: environments.make("CartPole-v1"), seed: 0)
        #expect(throws: TrainingError.self) { try a2c.restore(from: ppo.checkpoint()) }
    }

    @Test func hyperParametersUseSB3NamesAndCheckValues() throws {
        let zoo = try #require(PPOHyperparameters.zoo(for: "CartPole-v1"))
        #expect(zoo.nSteps == 32 && zoo.batchSize == 256 && zoo.nEpochs == 20 && zoo.learningRate == .linear(1e-3))
        let changed = try zoo.setting(["n_steps=64", "learning_rate=lin_0.0005", "target_kl=0.02", "net_arch=32,32", "normalize=true"])
        #expect(changed.nSteps == 64 && changed.learningRate == .linear(5e-4) && changed.targetKl == 0.02)
        #expect(changed.netArch == [32, 32] && changed.normalize)
        #expect(try changed.setting("target_kl", to: "none").targetKl == nil)
        #expect(throws: HyperparameterError.self) { try zoo.setting("n_step", to: "64") }
        #expect(throws: HyperparameterError.self) { try zoo.setting("n_steps", to: "many") }
        #expect(throws: HyperparameterError.self) { try zoo.setting("gamma", to: "1.5") }
        #expect(throws: HyperparameterError.self) { try zoo.setting("n_steps", to: "none") }
        // Round trip through the JSON a run directory stores.
        #expect(try PPOHyperparameters.decode(json: changed.json) == changed)
    }

    @Test func divergenceIsReportedNotHidden() throws {
        let config = try PPOHyperparameters().setting(["learning_rate=1e30", "n_steps=64", "max_grad_norm=1e30"])
        let agent = try PPO(environment: environments.make("CartPole-v1"), config: config, seed: 0)
        #expect {
            for _ in 0..<20 { _ = try agent.iterate() }
        } throws: { error in
            guard case TrainingError.nonFinite = error else { return false }
            return true
        }
    }

    @Test func continuousActionsAreClippedToTheBox() throws {
        let agent = try PPO(environment: environments.make("Pendulum-v1"), config: PPOHyperparameters().setting(["log_std_init=3"]), seed: 0)
        for _ in 0..<50 {
            let action = agent.act([1, 0, 0], deterministic: false)
            #expect(action.count == 1 && action[0] >= -2 && action[0] <= 2)
        }
    }
}
