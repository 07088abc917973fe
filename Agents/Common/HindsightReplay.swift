import RL
import Tensor

/// A minibatch as the off-policy losses read it: rows of observations, next observations and
/// actions, and one reward and terminal flag per row.
public struct ReplayBatch {
    public var observations: [Float], nextObservations: [Float], actions: [Float]
    public var rewards: [Float], terminated: [Float]
    public var count: Int { rewards.count }
}

extension ReplayBuffer {
    /// `indices` as a minibatch, unchanged.
    public func batch(_ indices: [Int]) -> ReplayBatch {
        ReplayBatch(observations: gatherRows(observations, width: observationSize, indices),
                    nextObservations: gatherRows(nextObservations, width: observationSize, indices),
                    actions: gatherRows(actions, width: actionSize, indices),
                    rewards: indices.map { rewards[$0] }, terminated: indices.map { terminated[$0] })
    }
}

/// Hindsight experience replay — Andrychowicz et al. (2017), "Hindsight Experience Replay",
/// arXiv:1707.01495 — over a `ReplayBuffer`, relabelling at sampling time as Stable-Baselines3's
/// `HerReplayBuffer` does: the buffer keeps every transition as it happened; this index knows
/// each stored transition's episode, and a sampled minibatch has its first
/// ⌊k/(k+1) · size⌋ rows given another goal — one the episode went on to achieve (`future`),
/// its last achieved goal (`final`) or any of its achieved goals (`episode`) — with the reward
/// recomputed for it. Only transitions of finished episodes are sampled. The buffer holds one
/// environment copy's transitions in order, so an episode is a contiguous run of slots.
public struct HindsightReplay {
    public enum Strategy: String, Codable, CaseIterable, Sendable {
        case future, final, episode
    }

    public let strategy: Strategy
    /// k: relabelled rows per real one (the share relabelled is k/(k+1)).
    public let sampledGoals: Int
    public let goal: GoalModel
    let capacity: Int
    /// Per slot: the first slot of its episode and the episode's length; 0 until the episode ends
    /// (and again once a newer episode starts overwriting it).
    public private(set) var episodeStart: [Int32], episodeLength: [Int32]
    /// The slot where the episode being collected began, and its length so far.
    public private(set) var currentStart = 0, currentLength = 0
    public private(set) var validCount = 0

    public init(capacity: Int, goal: GoalModel, strategy: Strategy, sampledGoals: Int) {
        (self.capacity, self.goal, self.strategy, self.sampledGoals) = (capacity, goal, strategy, sampledGoals)
        episodeStart = Array(repeating: 0, count: capacity)
        episodeLength = Array(repeating: 0, count: capacity)
    }

    /// Called as the replay buffer is about to write `slot`: a finished episode it overwrites
    /// stops being sampled, all of it (SB3 deletes the whole old episode, not one transition).
    public mutating func willWrite(slot: Int) {
        let length = Int(episodeLength[slot])
        guard length > 0 else { return }
        let start = Int(episodeStart[slot])
        for offset in 0..<length { episodeLength[(start + offset) % capacity] = 0 }
        validCount -= length
    }

    /// Called after the replay buffer wrote `slot`; `episodeEnded` closes the episode.
    public mutating func didWrite(slot: Int, episodeEnded: Bool) {
        if currentLength == 0 { currentStart = slot }
        currentLength += 1
        guard episodeEnded else { return }
        for offset in 0..<currentLength {
            let s = (currentStart + offset) % capacity
            (episodeStart[s], episodeLength[s]) = (Int32(currentStart), Int32(currentLength))
        }
        validCount += currentLength
        currentLength = 0
    }

    /// `size` slots drawn uniformly from the finished episodes' transitions.
    public func sampleIndices(_ size: Int, stored: Int, using generator: inout RandomGenerator) -> [Int] {
        precondition(validCount > 0, "no finished episode to sample from")
        return (0..<size).map { _ in
            while true {
                let slot = generator.nextInt(below: stored)
                if episodeLength[slot] > 0 { return slot }
            }
        }
    }

    /// The slots whose achieved goal replaces the desired one, for the rows being relabelled.
    func goalSlots(for slots: ArraySlice<Int>, using generator: inout RandomGenerator) -> [Int] {
        slots.map { slot in
            let start = Int(episodeStart[slot]), length = Int(episodeLength[slot])
            let offset = (slot - start + capacity) % capacity
            let chosen = switch strategy {
            case .future: offset + generator.nextInt(below: length - offset)  // t′ ∈ [t, T − 1]
            case .final: length - 1
            case .episode: generator.nextInt(below: length)
            }
            return (start + chosen) % capacity
        }
    }

    /// A minibatch of `slots` with hindsight goals in its first k/(k+1) rows: the desired goal of
    /// the observation and the next observation becomes the achieved goal after the chosen
    /// transition, and the reward is recomputed as r = R(achieved′, g′). Terminal flags stay.
    /// `relabelling` overrides how many leading rows get hindsight goals (all of them, for GCBC).
    public func batch(from replay: ReplayBuffer, slots: [Int], relabelling: Int? = nil,
                      using generator: inout RandomGenerator) -> ReplayBatch {
        var batch = replay.batch(slots)
        let relabelled = Swift.min(relabelling ?? Int(Double(sampledGoals) / Double(sampledGoals + 1) * Double(slots.count)), slots.count)
        let width = replay.observationSize, achieved = goal.achievedRange, desired = goal.desiredRange
        var newGoals: [Float] = [], nextAchieved: [Float] = []
        newGoals.reserveCapacity(relabelled * goal.goalCount)
        nextAchieved.reserveCapacity(relabelled * goal.goalCount)
        for (row, goalSlot) in goalSlots(for: slots.prefix(relabelled), using: &generator).enumerated() {
            let newGoal = replay.nextObservations[(goalSlot * width + achieved.lowerBound)..<(goalSlot * width + achieved.upperBound)]
            for (i, value) in newGoal.enumerated() {
                batch.observations[row * width + desired.lowerBound + i] = value
                batch.nextObservations[row * width + desired.lowerBound + i] = value
            }
            newGoals += newGoal
            nextAchieved += batch.nextObservations[(row * width + achieved.lowerBound)..<(row * width + achieved.upperBound)]
        }
        // One vectorised compute_reward for every relabelled row.
        if relabelled > 0 {
            for (row, reward) in goal.computeReward(nextAchieved, newGoals).enumerated() { batch.rewards[row] = Float(reward) }
        }
        return batch
    }

    /// Puts back the index saved in a checkpoint.
    public mutating func restore(episodeStart: [Float], episodeLength: [Float], currentStart: Int, currentLength: Int) throws {
        guard episodeStart.count == capacity, episodeLength.count == capacity,
              episodeStart.allSatisfy({ $0 >= 0 && $0 < Float(capacity) && $0 == $0.rounded() }),
              episodeLength.allSatisfy({ $0 >= 0 && $0 <= Float(capacity) && $0 == $0.rounded() }),
              (0..<capacity).contains(currentStart), (0...capacity).contains(currentLength) else {
            throw SnapshotError.malformed("the hindsight episode index does not fit a buffer of \(capacity) transitions")
        }
        self.episodeStart = episodeStart.map { Int32($0) }
        self.episodeLength = episodeLength.map { Int32($0) }
        (self.currentStart, self.currentLength) = (currentStart, currentLength)
        validCount = self.episodeLength.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
    }
}
