import NN
import RL
import Tensor

/// What every policy-gradient agent's checkpoint holds alike: its id and hyper-parameters, the
/// actor-critic's weights, the optimiser's state, the step count and the generator.
enum PolicyCheckpoint {
    struct Progress: Codable {
        var stepsDone: Int
        var generator: RandomGenerator
    }

    static func builder(agent: String, hyperparameters: String, policy: ActorCritic, optimizer: Optimizer,
                        stepsDone: Int, generator: RandomGenerator) throws -> CheckpointBuilder {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = agent
        builder.metadata["hyperparameters"] = hyperparameters
        builder.add(policy, as: "policy")
        builder.add(optimizer, as: "optimizer")
        try builder.add(json: Progress(stepsDone: stepsDone, generator: generator), as: "progress")
        return builder
    }

    /// Loads the weights and optimiser state; returns the reader (for the agent's own entries)
    /// and the progress to put back.
    static func read(_ checkpoint: SafeTensors, agent: String, policy: ActorCritic,
                     optimizer: Optimizer) throws -> (reader: CheckpointReader, progress: Progress) {
        let reader = try CheckpointReader(checkpoint, agent: agent)
        try reader.load(policy, from: "policy")
        try reader.load(optimizer, from: "optimizer")
        let progress = try reader.json(Progress.self, "progress")
        _ = try reader.count(progress.stepsDone, "progress.steps_done")
        return (reader, progress)
    }
}
