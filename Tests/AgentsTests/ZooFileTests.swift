import Agents
import Foundation
import TestSupport
import Testing

@Suite("rl-baselines3-zoo hyper-parameter files")
struct ZooFileTests {
    /// The shipped presets (hyperparams/*.yml) hold rl-baselines3-zoo's published values.
    @Test func theShippedPresetsAreTheZoosValues() throws {
        let ppo = try PPOHyperparameters.zoo(for: "CartPole-v1")
        #expect(ppo.nEnvs == 8 && ppo.nTimesteps == 100_000 && ppo.nSteps == 32 && ppo.batchSize == 256)
        #expect(ppo.gaeLambda == 0.8 && ppo.gamma == 0.98 && ppo.nEpochs == 20 && ppo.entCoef == 0)
        #expect(ppo.learningRate == .linear(1e-3) && ppo.clipRange == .linear(0.2))
        let acrobot = try PPOHyperparameters.zoo(for: "Acrobot-v1")
        #expect(acrobot.normalize && acrobot.nEnvs == 16 && acrobot.nTimesteps == 1_000_000 && acrobot.nSteps == 256)
        let dqn = try DQNHyperparameters.zoo(for: "MountainCar-v0")
        #expect(dqn.nTimesteps == 120_000 && dqn.learningRate == .constant(4e-3) && dqn.netArch == [256, 256])
        #expect(dqn.trainFreq == 16 && dqn.gradientSteps == 8 && dqn.targetUpdateInterval == 600 && dqn.explorationFinalEps == 0.07)
        let a2c = try A2CHyperparameters.zoo(for: "Pendulum-v1")
        #expect(a2c.normalize && a2c.nEnvs == 8 && a2c.nSteps == 8 && a2c.learningRate == .linear(7e-4))
        #expect(a2c.logStdInit == -2 && !a2c.orthoInit && !a2c.normalizeAdvantage)
        let double = try DeepAgents.configuration(agent: "double-dqn", environmentID: "CartPole-v1", recipe: .init(preset: "zoo"))
        #expect((double as? DQNHyperparameters)?.doubleQ == true && (double as? DQNHyperparameters)?.trainFreq == 256)
        expectError("no zoo preset for Pendulum-v1", "CartPole-v1", "use --preset default") { _ = try DQNHyperparameters.zoo(for: "Pendulum-v1") }
    }

    /// The zoo's own conventions: anchors and merges, `!!float`, schedules, Python literals in
    /// strings spread over lines, SB3's (n, "step") train frequency.
    @Test func aFileInTheZoosFormatIsRead() throws {
        let file = try ZooFile(yaml: """
            # A comment
            MountainCar-v0: &defaults
              normalize: "{'norm_obs': True, 'norm_reward': True}"
              n_envs: 16
              n_timesteps: !!float 1e6
              policy: 'MlpPolicy'
              ent_coef: .0
              use_sde: False
              policy_kwargs: "dict(log_std_init=-1.5,
                                   ortho_init=False,
                                   activation_fn=nn.Tanh,
                                   net_arch=dict(pi=[128, 128], vf=[128, 128]),
                                   )"
            CartPole-v1:
              <<: *defaults
              n_timesteps: !!float 2e5
              learning_rate: lin_2.5e-4
            """)
        #expect(file.environmentIDs == ["CartPole-v1", "MountainCar-v0"])
        let ppo = try PPOHyperparameters().setting(zooFile: file, environmentID: "CartPole-v1")
        #expect(ppo.normalize && ppo.nEnvs == 16 && ppo.nTimesteps == 200_000 && ppo.learningRate == .linear(2.5e-4))
        #expect(ppo.logStdInit == -1.5 && !ppo.orthoInit && ppo.netArch == [128, 128])
        let dqn = try DQNHyperparameters().setting(zooFile: ZooFile(yaml: "CartPole-v1:\n  train_freq: [4, 'step']\n"), environmentID: "CartPole-v1")
        #expect(dqn.trainFreq == 4)
        // SAC implements gSDE, so the zoo's MountainCarContinuous entry is taken whole.
        let sac = try SACHyperparameters.zoo(for: "MountainCarContinuous-v0")
        #expect(sac.useSde && sac.sdeSampleFreq == -1 && sac.logStdInit == -3.67 && sac.netArch == [64, 64])
        #expect(sac.entCoef == "0.1" && sac.trainFreq == 32 && sac.gradientSteps == 32 && sac.batchSize == 512 && sac.learningStarts == 0)
    }

    /// What cannot be honoured is named, never dropped.
    @Test func whatIsNotImplementedIsAnError() throws {
        func settings(_ yaml: String, activation: String = "nn.Tanh") throws -> [String] {
            try ZooFile(yaml: "Pendulum-v1:\n" + yaml, path: "ppo.yml").settings(for: "Pendulum-v1", activation: activation)
        }
        expectError("ppo.yml: Pendulum-v1.use_sde: gSDE") { _ = try settings("  use_sde: True\n  sde_sample_freq: 4\n") }
        expectError("only 'MlpPolicy'", "CnnPolicy") { _ = try settings("  policy: 'CnnPolicy'\n") }
        expectError("frame_stack: not implemented") { _ = try settings("  frame_stack: 4\n") }
        expectError("activation_fn=nn.ReLU is not implemented (this network uses nn.Tanh)") {
            _ = try settings("  policy_kwargs: \"dict(activation_fn=nn.ReLU)\"\n")
        }
        expectError("different actor and critic sizes") { _ = try settings("  policy_kwargs: \"dict(net_arch=dict(pi=[64], vf=[32]))\"\n") }
        expectError("policy_kwargs 'optimizer_class' is not implemented") {
            _ = try settings("  policy_kwargs: \"dict(optimizer_class=RMSpropTFLike)\"\n")
        }
        expectError("cannot read the Python literal") { _ = try settings("  policy_kwargs: \"dict(net_arch=[64, 64\"\n") }
        expectError("normalised together") { _ = try settings("  normalize: \"{'norm_obs': False, 'norm_reward': True}\"\n") }
        expectError("only a frequency in steps") { _ = try settings("  train_freq: [1, 'episode']\n", activation: "nn.ReLU") }
        expectError("unknown hyper-parameter 'n_step'") {
            _ = try PPOHyperparameters().setting(zooFile: ZooFile(yaml: "Pendulum-v1:\n  n_step: 4\n"), environmentID: "Pendulum-v1")
        }
        expectError("x.yml is not YAML") { _ = try ZooFile(yaml: "a: [1, 2\n", path: "x.yml") }
        expectError("x.yml is not a zoo file") { _ = try ZooFile(yaml: "- 1\n- 2\n", path: "x.yml") }
        expectError("x.yml: the entry 'CartPole-v1' is not a mapping") { _ = try ZooFile(yaml: "CartPole-v1: 3\n", path: "x.yml") }
        // Explicit keys that are mappings or lists are legal YAML; Yams's constructor traps on them (the fuzzer found it).
        expectError("x.yml: a mapping key (line 2) is a list or mapping") {
            _ = try ZooFile(yaml: "CartPole-v1:\n? n_timesteps: !!float 5e4\n  policy: 'MlpPolicy'\n", path: "x.yml")
        }
        expectError("x.yml: a mapping key (line 2) is a list or mapping") {
            _ = try ZooFile(yaml: "CartPole-v1:\n  ? [a, b]\n  : 1\n", path: "x.yml")
        }
    }
}
