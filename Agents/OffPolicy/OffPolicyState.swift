import Foundation
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
