import Foundation
import RL
import Tensor

/// What SAC and TD3 save beside their networks and optimisers: the step and update counters,
/// the replay buffer, the generator and the environments' exact state (JSON under "progress",
/// the buffer under "replay.*", the environments under "environments").
struct OffPolicyProgress: Codable {
    var stepsDone: Int, gradientUpdates: Int, replayCount: Int, replayPosition: Int
    var generator: RandomGenerator
}

extension CheckpointBuilder {
    mutating func addOffPolicyState(stepsDone: Int, gradientUpdates: Int, replay: ReplayBuffer, generator: RandomGenerator,
                                    environments: any BatchedEnvironment) throws {
        addReplay(replay)
        try add(json: OffPolicyProgress(stepsDone: stepsDone, gradientUpdates: gradientUpdates, replayCount: replay.count,
                                        replayPosition: replay.position, generator: generator), as: "progress")
        metadata["environments"] = String(decoding: try environments.snapshot(), as: UTF8.self)
    }
}

extension CheckpointReader {
    /// Restores the replay buffer and the environments; returns the counters and the generator.
    func loadOffPolicyState(replay: inout ReplayBuffer, environments: inout any BatchedEnvironment) throws
        -> (stepsDone: Int, gradientUpdates: Int, generator: RandomGenerator) {
        let progress = try json(OffPolicyProgress.self, "progress")
        for (value, name) in [(progress.stepsDone, "steps_done"), (progress.gradientUpdates, "gradient_updates")] {
            _ = try count(value, "progress." + name)
        }
        try loadReplay(into: &replay, count: progress.replayCount, position: progress.replayPosition)
        try environments.restore(from: Data(try string("environments").utf8))
        return (progress.stepsDone, progress.gradientUpdates, progress.generator)
    }
}
