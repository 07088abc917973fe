import Agents
import Environments
import Foundation
import NN
import RL
import Tensor
import Testing

/// scripts/make_offpolicy_fixtures.py: Stable-Baselines3's own SAC and TD3 networks on a fixed
/// batch with fixed noise, and the losses its `train()` forms from them.
private struct OffPolicyFixture: Decodable {
    struct Weight: Decodable { var shape: [Int], values: [Float] }
    struct Batch: Decodable {
        var observations: [[Float]], actions: [[Float]], rewards: [Float], dones: [Float]
        var next_observations: [[Float]], noise: [[Float]], next_noise: [[Float]], exploration: [[Float]]
    }
    struct SACPart: Decodable {
        var weights: [String: Weight]
        var log_alpha: Float, log_probability: [Float], alpha_loss: Float, target: [Float], critic_loss: Float, actor_loss: Float
    }
    struct TD3Part: Decodable {
        var weights: [String: Weight]
        var target: [Float], critic_loss: Float, actor_loss: Float
    }
    struct StateDependentPart: Decodable {
        var weights: [String: Weight]
        var alpha: Float, actions: [Float], log_probability: [Float], actor_loss: Float, log_std_gradient: [Float], deterministic: [Float]
    }
    var batch: Batch, sac: SACPart, td3: TD3Part, sac_sde: StateDependentPart
}

private func fixture() throws -> OffPolicyFixture {
    let url = try #require(Bundle.module.url(forResource: "sb3_offpolicy", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(OffPolicyFixture.self, from: Data(contentsOf: url))
}

/// Every parameter of `module` from the fixture's `prefix.name` (all of them, and nothing else).
private func load(_ module: Module, _ prefix: String, from weights: [String: OffPolicyFixture.Weight]) throws {
    let names = Set(weights.keys.filter { $0.hasPrefix(prefix + ".") })
    #expect(Set(module.namedParameters.map { "\(prefix).\($0.name)" }) == names, "\(prefix)")
    for (name, parameter) in module.namedParameters {
        let weight = try #require(weights["\(prefix).\(name)"])
        parameter.assign(Tensor(weight.values, shape: weight.shape))
    }
}

private func expectClose(_ ours: [Float], _ theirs: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(ours.count == theirs.count, "\(what)", sourceLocation: sourceLocation)
    let worst = zip(ours, theirs).map { abs($0 - $1) / Swift.max(1, abs($1)) }.max() ?? 0
    #expect(worst < 2e-5, "\(what): ours \(ours), SB3 \(theirs)", sourceLocation: sourceLocation)
}

@Suite("Off-policy continuous agents against Stable-Baselines3")
struct OffPolicyTests {
    @Test func sacLossesAndTheSquashedGaussianMatchStableBaselines3() throws {
        let f = try fixture(), b = f.batch.rewards.count
        let sac = try SAC(environment: environments.make("Pendulum-v1"),
                          config: SACHyperparameters().setting(["net_arch=16,16"]), seed: 0)
        try load(sac.actor, "actor", from: f.sac.weights)
        try load(sac.critic, "critic", from: f.sac.weights)
        try load(sac.criticTarget, "critic_target", from: f.sac.weights)
        sac.logAlpha.assign(Tensor([f.sac.log_alpha]))
        let observations = Tensor(f.batch.observations.flatMap { $0 }, shape: [b, 3])
        let nextObservations = Tensor(f.batch.next_observations.flatMap { $0 }, shape: [b, 3])
        let actions = Tensor(f.batch.actions.flatMap { $0 }, shape: [b, 1])
        let rewards = Tensor(f.batch.rewards), notDone = Tensor(f.batch.dones.map { 1 - $0 })

        // log π(a|s) = Σ log N(u; μ, σ) − log(1 − tanh(u)² + 10⁻⁶), SB3's SquashedDiagGaussianDistribution.
        let (sampled, logProbability) = sac.actor.sample(observations, noise: f.batch.noise.flatMap { $0 })
        expectClose(logProbability.scalars, f.sac.log_probability, "log π")
        expectClose([sac.alphaLoss(logProbability: logProbability).item], [f.sac.alpha_loss], "temperature loss")
        let target = sac.softTarget(rewards: rewards, notDone: notDone, nextObservations: nextObservations,
                                    nextNoise: f.batch.next_noise.flatMap { $0 }, alpha: sac.alpha)
        expectClose(target.scalars, f.sac.target, "soft target")
        expectClose([sac.criticLoss(observations: observations, actions: actions, target: target).item], [f.sac.critic_loss], "critic loss")
        let actorLoss = sac.actorLoss(observations: observations, sampled: sampled, logProbability: logProbability, alpha: sac.alpha)
        expectClose([actorLoss.item], [f.sac.actor_loss], "actor loss")
        // The actor's gradient flows through the reparameterised action into its own weights.
        actorLoss.backward()
        #expect(sac.actor.parameters.allSatisfy { $0.grad.map { $0.scalars.contains { $0 != 0 } } ?? false })
    }

    @Test func stateDependentExplorationMatchesStableBaselines3() throws {
        // SB3's SAC(use_sde=True): its actor's weights, θ_ε = exp(log σ) ⊙ ε for a fixed ε, and its own action_log_prob.
        let f = try fixture(), b = f.batch.rewards.count
        let sac = try SAC(environment: environments.make("Pendulum-v1"),
                          config: SACHyperparameters().setting(["net_arch=16,16", "use_sde=true", "ent_coef=0.7"]), seed: 0)
        let actor = try #require(sac.actor as? StateDependentActor)
        try load(actor, "actor", from: f.sac_sde.weights)
        try load(sac.critic, "critic", from: f.sac.weights)
        let observations = Tensor(f.batch.observations.flatMap { $0 }, shape: [b, 3])
        #expect(actor.noiseCount(rows: b) == 16, "one exploration matrix per minibatch, whatever its size")
        let (sampled, logProbability) = actor.sample(observations, noise: f.batch.exploration.flatMap { $0 })
        expectClose(sampled.scalars, f.sac_sde.actions, "gSDE actions tanh(μ + z·θ_ε)")
        expectClose(logProbability.scalars, f.sac_sde.log_probability, "gSDE log π")
        expectClose(actor.mode(observations).scalars, f.sac_sde.deterministic, "deterministic actions tanh(clip(μ))")
        let loss = sac.actorLoss(observations: observations, sampled: sampled, logProbability: logProbability, alpha: sac.alpha)
        expectClose([loss.item], [f.sac_sde.actor_loss], "actor loss")
        // log σ learns through both the noise z·(σ ⊙ ε) and the variance z²·σ².
        loss.backward()
        expectClose(try #require(actor.logStd.grad).scalars, f.sac_sde.log_std_gradient, "∂J/∂log σ")
    }

    @Test func td3LossesMatchStableBaselines3() throws {
        let f = try fixture(), b = f.batch.rewards.count
        let td3 = try TD3(environment: environments.make("Pendulum-v1"),
                          config: TD3Hyperparameters().setting(["net_arch=16,16"]), seed: 0)
        try load(td3.actor, "actor", from: f.td3.weights)
        try load(td3.actorTarget, "actor_target", from: f.td3.weights)
        try load(td3.critic, "critic", from: f.td3.weights)
        try load(td3.criticTarget, "critic_target", from: f.td3.weights)
        let observations = Tensor(f.batch.observations.flatMap { $0 }, shape: [b, 3])
        let target = td3.clippedDoubleQTarget(rewards: Tensor(f.batch.rewards), notDone: Tensor(f.batch.dones.map { 1 - $0 }),
                                              nextObservations: Tensor(f.batch.next_observations.flatMap { $0 }, shape: [b, 3]),
                                              noise: f.batch.noise.flatMap { $0 })
        expectClose(target.scalars, f.td3.target, "clipped double-Q target")
        let actions = Tensor(f.batch.actions.flatMap { $0 }, shape: [b, 1])
        expectClose([td3.criticLoss(observations: observations, actions: actions, target: target).item], [f.td3.critic_loss], "critic loss")
        expectClose([td3.actorLoss(observations: observations).item], [f.td3.actor_loss], "actor loss")
    }

    @Test func ddpgIsTD3WithOneCriticNoDelayAndNoSmoothing() throws {
        let config = try DeepAgents.configuration(agent: "ddpg", environmentID: "Pendulum-v1", recipe: .init(preset: "zoo"))
        let ddpg = try #require(config as? TD3Hyperparameters)
        #expect(ddpg.isDDPG && ddpg.nCritics == 1 && ddpg.policyDelay == 1 && ddpg.targetPolicyNoise == 0)
        #expect(ddpg.actionNoiseStd == 0.1 && ddpg.netArch == [400, 300] && ddpg.learningStarts == 10_000)
        let agent = try DeepAgents.make(agent: "ddpg", configuration: ddpg, environment: environments.make("Pendulum-v1"), seed: 0)
        #expect(agent.name == "ddpg")
        let sac = try #require(try DeepAgents.configuration(agent: "sac", environmentID: "Pendulum-v1", recipe: .init(preset: "zoo")) as? SACHyperparameters)
        #expect(sac.nTimesteps == 20_000 && sac.learningRate == .constant(1e-3) && sac.entCoef == "auto")
        #expect(try sac.setting("ent_coef", to: "auto_0.1").entCoef == "auto_0.1" && sac.setting("ent_coef", to: "0.2").entCoef == "0.2")
        #expect(throws: HyperparameterError.self) { try sac.setting("ent_coef", to: "hot") }
        #expect(throws: (any Error).self) { _ = try SAC(environment: environments.make("CartPole-v1"), config: sac, seed: 0) }
    }

    /// A run resumed from a checkpoint equals one never interrupted (replay buffer, α, gSDE's log σ and all).
    @Test(arguments: [("sac", []), ("sac", ["use_sde=true", "train_freq=8", "gradient_steps=8", "sde_sample_freq=4"]), ("td3", [])])
    func aResumedRunEqualsOneNeverInterrupted(agent: String, extra: [String]) throws {
        let config = try DeepAgents.configuration(agent: agent, environmentID: "Pendulum-v1",
                                                  recipe: .init(settings: ["net_arch=16,16", "learning_starts=50", "batch_size=32"] + extra))
        func fresh() throws -> any DeepAgent {
            try DeepAgents.make(agent: agent, configuration: config, environment: environments.make("Pendulum-v1"), seed: 3, totalSteps: 300)
        }
        let straight = try fresh()
        for _ in 0..<200 { _ = try straight.iterate() }
        let first = try fresh()
        for _ in 0..<100 { _ = try first.iterate() }
        let resumed = try fresh()
        try resumed.restore(from: SafeTensors.decode(first.checkpoint().encoded()))
        for _ in 0..<100 { _ = try resumed.iterate() }
        let a = try straight.checkpoint().tensors, b = try resumed.checkpoint().tensors
        #expect(a.map(\.name) == b.map(\.name))
        #expect(zip(a, b).allSatisfy { $0.tensor.scalars == $1.tensor.scalars })
    }
}
