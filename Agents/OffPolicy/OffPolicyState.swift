import Foundation
import NN
import RL
import Tensor

/// What SAC and TD3 save beside their networks and optimisers: the step and update counters,
/// the replay buffer, the generator and the environments' exact state (JSON under "progress",
/// the buffer under "replay.*", HER's index under "hindsight.*", the environments under "environments").
struct OffPolicyProgress: Codable {
    var stepsDone: Int, gradientUpdates: Int, replayCount: Int, replayPosition: Int
    var generator: RandomGenerator
    /// HER's episode being collected (nil without HER).
    var hindsightCurrentStart: Int?, hindsightCurrentLength: Int?
}

extension CheckpointBuilder {
    mutating func addOffPolicyState(stepsDone: Int, gradientUpdates: Int, memory: ReplayMemory, generator: RandomGenerator,
                                    environments: any BatchedEnvironment) throws {
        addMemory(memory)
        let position = memory.position
        try add(json: OffPolicyProgress(stepsDone: stepsDone, gradientUpdates: gradientUpdates, replayCount: position.replayCount,
                                        replayPosition: position.replayPosition, generator: generator,
                                        hindsightCurrentStart: position.hindsightCurrentStart,
                                        hindsightCurrentLength: position.hindsightCurrentLength), as: "progress")
        metadata["environments"] = String(decoding: try environments.snapshot(), as: UTF8.self)
    }
}

extension CheckpointReader {
    /// Restores the replay memory and the environments; returns the counters and the generator.
    func loadOffPolicyState(memory: inout ReplayMemory, environments: inout any BatchedEnvironment) throws
        -> (stepsDone: Int, gradientUpdates: Int, generator: RandomGenerator) {
        let progress = try json(OffPolicyProgress.self, "progress")
        for (value, name) in [(progress.stepsDone, "steps_done"), (progress.gradientUpdates, "gradient_updates")] {
            _ = try count(value, "progress." + name)
        }
        try loadMemory(into: &memory, at: ReplayMemoryPosition(
            replayCount: progress.replayCount, replayPosition: progress.replayPosition,
            hindsightCurrentStart: progress.hindsightCurrentStart, hindsightCurrentLength: progress.hindsightCurrentLength))
        try environments.restore(from: Data(try string("environments").utf8))
        return (progress.stepsDone, progress.gradientUpdates, progress.generator)
    }
}

/// TD3's four networks and two optimisers under their checkpoint names (TD3, DDPG and TD3+BC).
struct DeterministicActorCritic {
    let actor: DeterministicActor, actorTarget: DeterministicActor
    let critic: ContinuousCritic, criticTarget: ContinuousCritic
    let actorOptimizer: Adam, criticOptimizer: Adam
}

extension CheckpointBuilder {
    mutating func add(_ networks: DeterministicActorCritic) {
        add(networks.actor, as: "actor")
        add(networks.actorTarget, as: "actor_target")
        add(networks.critic, as: "critic")
        add(networks.criticTarget, as: "critic_target")
        add(networks.actorOptimizer, as: "actor_optimizer")
        add(networks.criticOptimizer, as: "critic_optimizer")
    }
}

extension CheckpointReader {
    func load(_ networks: DeterministicActorCritic) throws {
        try load(networks.actor, from: "actor")
        try load(networks.actorTarget, from: "actor_target")
        try load(networks.critic, from: "critic")
        try load(networks.criticTarget, from: "critic_target")
        try load(networks.actorOptimizer, from: "actor_optimizer")
        try load(networks.criticOptimizer, from: "critic_optimizer")
    }
}
