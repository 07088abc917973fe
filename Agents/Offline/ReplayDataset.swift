import Datasets

/// An off-policy agent whose replay buffer can become the literature's "replay" dataset:
/// everything the agent saw while it trained (D4RL's `*-replay`, d3rlpy's replay datasets).
public protocol ExperienceReplaying: DeepAgent {
    /// The buffer as the last checkpoint left it.
    var replayBuffer: ReplayBuffer { get }
    /// How many environment copies wrote into it, row by row each step.
    var replayCopies: Int { get }
}

extension OfflineDataset {
    /// The transitions of `replay` in the order they were collected (oldest first), cut into
    /// episodes. The buffer keeps `terminated` only; a time limit shows as a next observation
    /// that is not the following transition's observation (the copy was reset in between), and
    /// the last transition of each copy closes its unfinished episode as a truncation.
    public init(replay: ReplayBuffer, copies: Int, discreteActions: Int?, environmentID: String?) throws {
        let n = replay.count, width = replay.observationSize
        guard n > 0 else { throw DatasetError.malformed("the replay buffer holds no transitions") }
        guard copies >= 1 else { throw DatasetError.malformed("a replay buffer is written by at least one environment copy") }
        let wrapped = n == replay.capacity && replay.position != 0
        guard copies == 1 || !wrapped else {
            throw DatasetError.unsupported("a replay buffer that wrapped around with n_envs=\(copies) does not tell which copy wrote which row")
        }
        // Chronological slots, then each copy's transitions in turn (row k came from copy k % copies).
        let chronological = (0..<n).map { wrapped ? (replay.position + $0) % n : $0 }
        let perCopy = (0..<copies).map { copy in stride(from: copy, to: n, by: copies).map { chronological[$0] } }
        var observations: [Float] = [], actions: [Float] = [], rewards: [Float] = [], next: [Float] = []
        var terminations: [Bool] = [], truncations: [Bool] = []
        observations.reserveCapacity(n * width); next.reserveCapacity(n * width)
        func row(_ values: [Float], _ slot: Int, _ size: Int) -> ArraySlice<Float> { values[(slot * size)..<((slot + 1) * size)] }
        for slots in perCopy {
            for (i, slot) in slots.enumerated() {
                observations += row(replay.observations, slot, width)
                next += row(replay.nextObservations, slot, width)
                actions += row(replay.actions, slot, replay.actionSize)
                rewards.append(replay.rewards[slot])
                let terminated = replay.terminated[slot] != 0
                // The episode goes on when the copy's next transition starts where this one ended.
                let continues = i + 1 < slots.count
                    && row(replay.observations, slots[i + 1], width) == row(replay.nextObservations, slot, width)
                terminations.append(terminated)
                truncations.append(!terminated && !continues)
            }
        }
        try self.init(observationSize: width, actionSize: replay.actionSize, discreteActions: discreteActions,
                      observations: observations, actions: actions, rewards: rewards, nextObservations: next,
                      terminations: terminations, truncations: truncations, environmentID: environmentID)
    }
}
