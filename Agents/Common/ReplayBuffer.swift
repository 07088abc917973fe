import RL
import Tensor

/// Off-policy storage: a ring of the last `capacity` transitions, allocated once, sampled
/// uniformly with replacement (as SB3's `ReplayBuffer`).
///
/// `terminated` is stored, not "done": a transition cut by a time limit keeps its bootstrap
/// (SB3's `handle_timeout_termination`); its next observation is the one the episode ended on.
public struct ReplayBuffer {
    public let capacity: Int, observationSize: Int, actionSize: Int
    public private(set) var observations: [Float]
    public private(set) var nextObservations: [Float]
    public private(set) var actions: [Float]
    public private(set) var rewards: [Float]
    public private(set) var terminated: [Float]
    public private(set) var count = 0
    /// Where the next transition goes.
    public private(set) var position = 0

    public init(capacity: Int, observationSize: Int, actionSize: Int) {
        precondition(capacity > 0, "a replay buffer needs room for at least one transition")
        (self.capacity, self.observationSize, self.actionSize) = (capacity, observationSize, actionSize)
        observations = Array(repeating: 0, count: capacity * observationSize)
        nextObservations = observations
        actions = Array(repeating: 0, count: capacity * actionSize)
        rewards = Array(repeating: 0, count: capacity)
        terminated = rewards
    }

    /// Stores row `row` of a vector step: the observation acted on, the action, the reward, the
    /// next observation (each a row of its flat buffer) and whether the MDP terminated.
    public mutating func add(row: Int, observations: [Float], actions: [Float], reward: Float,
                             nextObservations: [Float], terminated done: Bool) {
        let o = position * observationSize, a = position * actionSize
        observations.withUnsafeBufferPointer { source in
            self.observations.withUnsafeMutableBufferPointer {
                ($0.baseAddress! + o).update(from: source.baseAddress! + row * observationSize, count: observationSize)
            }
        }
        nextObservations.withUnsafeBufferPointer { source in
            self.nextObservations.withUnsafeMutableBufferPointer {
                ($0.baseAddress! + o).update(from: source.baseAddress! + row * observationSize, count: observationSize)
            }
        }
        actions.withUnsafeBufferPointer { source in
            self.actions.withUnsafeMutableBufferPointer {
                ($0.baseAddress! + a).update(from: source.baseAddress! + row * actionSize, count: actionSize)
            }
        }
        rewards[position] = reward
        terminated[position] = done ? 1 : 0
        position = (position + 1) % capacity
        count = Swift.min(count + 1, capacity)
    }

    /// `size` indices drawn uniformly from the stored transitions.
    public func sampleIndices(_ size: Int, using generator: inout RandomGenerator) -> [Int] {
        precondition(count > 0, "cannot sample from an empty replay buffer")
        return (0..<size).map { _ in generator.nextInt(below: count) }
    }

    /// Puts back saved contents (from a checkpoint).
    public mutating func restore(observations: [Float], nextObservations: [Float], actions: [Float], rewards: [Float],
                                 terminated: [Float], count: Int, position: Int) throws {
        // The filled slots, 0..<count (a checkpoint holds only those), or every slot (older checkpoints).
        let rows = rewards.count
        guard rows == Swift.max(count, 1) || rows == capacity, rows <= capacity, (0...capacity).contains(count), (0..<capacity).contains(position),
              observations.count == rows * observationSize, nextObservations.count == rows * observationSize,
              actions.count == rows * actionSize, terminated.count == rows else {
            throw SnapshotError.malformed("replay buffer contents do not fit a buffer of \(capacity) transitions")
        }
        func padded(_ values: [Float], width: Int) -> [Float] { values + [Float](repeating: 0, count: (capacity - rows) * width) }
        (self.observations, self.nextObservations) = (padded(observations, width: observationSize), padded(nextObservations, width: observationSize))
        (self.actions, self.rewards, self.terminated) = (padded(actions, width: actionSize), padded(rewards, width: 1), padded(terminated, width: 1))
        (self.count, self.position) = (count, position)
    }
}

// A replay buffer in a checkpoint: its five arrays under `replay.*`; count and position travel
// in the agent's progress record.
extension CheckpointBuilder {
    /// Only the filled slots (0..<count): a large buffer early in training costs its transitions, not its capacity
    /// (a 10⁶-transition buffer of BitFlip-50 was 1.2 GB a checkpoint).
    mutating func addReplay(_ replay: ReplayBuffer, as prefix: String = "replay") {
        let n = Swift.max(replay.count, 1)  // one row at least: a tensor is never empty
        add(Array(replay.observations.prefix(n * replay.observationSize)), as: prefix + ".observations")
        add(Array(replay.nextObservations.prefix(n * replay.observationSize)), as: prefix + ".next_observations")
        add(Array(replay.actions.prefix(n * replay.actionSize)), as: prefix + ".actions")
        add(Array(replay.rewards.prefix(n)), as: prefix + ".rewards")
        add(Array(replay.terminated.prefix(n)), as: prefix + ".terminated")
    }
}

extension CheckpointReader {
    func loadReplay(into replay: inout ReplayBuffer, count: Int, position: Int, as prefix: String = "replay") throws {
        try replay.restore(observations: values(prefix + ".observations"), nextObservations: values(prefix + ".next_observations"),
                           actions: values(prefix + ".actions"), rewards: values(prefix + ".rewards"),
                           terminated: values(prefix + ".terminated"), count: count, position: position)
    }
}

extension ReplayBuffer {
    /// Stores the step every copy of `environments` just took from `observations` with `actions`
    /// (rows of each): an episode's last transition points at the observation it ended on, and
    /// `hindsight`, if any, learns where episodes begin and end.
    public mutating func addStep(observations: [Float], actions: [Float], of environments: any BatchedEnvironment,
                                 hindsight: inout HindsightReplay?) {
        let next = environments.observations, finals = environments.finalObservations
        let rewards = environments.rewards, terminated = environments.terminated, truncated = environments.truncated
        for i in 0..<environments.count {
            let slot = position, ended = terminated[i] || truncated[i]
            hindsight?.willWrite(slot: slot)
            add(row: i, observations: observations, actions: actions, reward: rewards[i],
                nextObservations: ended ? finals : next, terminated: terminated[i])
            hindsight?.didWrite(slot: slot, episodeEnded: ended)
        }
    }

    /// As above, without hindsight relabelling.
    public mutating func addStep(observations: [Float], actions: [Float], of environments: any BatchedEnvironment) {
        var none: HindsightReplay? = nil
        addStep(observations: observations, actions: actions, of: environments, hindsight: &none)
    }
}
