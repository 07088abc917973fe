import Threads

/// N copies of an environment stepped together, writing straight into contiguous buffers
/// (observations N × size, rewards, flags) so deep agents read them without copying.
///
/// Auto-reset is SB3's "same step" kind: when copy i's episode ends, the step's observation row
/// i already holds the first observation of its next episode, `finalObservations` row i the
/// observation the episode ended on (to bootstrap from on truncation), and `terminated[i]` /
/// `truncated[i]` say why it ended. With `threads` > 1 the copies are split into that many
/// contiguous chunks stepped in parallel by a `WorkerPool`; results do not depend on the thread
/// count.
public struct VectorEnvironment<Base: Environment> where Base.Observation: FlatObservation {
    public private(set) var environments: [Base]
    public let observationSize: Int
    public let threads: Int
    private let pool: WorkerPool?
    public private(set) var observations: [Float]
    public private(set) var finalObservations: [Float]
    public private(set) var rewards: [Float]
    public private(set) var terminated: [Bool]
    public private(set) var truncated: [Bool]
    /// Running return and length of each copy's current episode.
    public private(set) var episodeReturns: [Double]
    public private(set) var episodeLengths: [Int]
    /// Episodes that ended in the last step: (copy, record).
    public private(set) var finishedEpisodes: [(copy: Int, record: EpisodeRecord)] = []

    public init(copies: Int, threads: Int = 1, make: (Int) -> Base) {
        precondition(copies >= 1, "a vector environment needs at least one copy")
        precondition(threads >= 1, "threads must be at least 1")
        environments = (0..<copies).map(make)
        observationSize = environments[0].observationSpace.flatCount
        self.threads = Swift.min(threads, copies)
        pool = self.threads > 1 ? WorkerPool(workers: self.threads - 1) : nil
        observations = Array(repeating: 0, count: copies * observationSize)
        finalObservations = observations
        rewards = Array(repeating: 0, count: copies)
        terminated = Array(repeating: false, count: copies)
        truncated = terminated
        episodeReturns = Array(repeating: 0, count: copies)
        episodeLengths = Array(repeating: 0, count: copies)
    }

    public var count: Int { environments.count }
    public var observationSpace: Space { environments[0].observationSpace }
    public var actionSpace: Space { environments[0].actionSpace }

    /// Resets every copy; copy i is seeded with seed + i (Gymnasium's vector convention).
    public mutating func reset(seed: UInt64? = nil) {
        let size = observationSize
        observations.withUnsafeMutableBufferPointer { rows in
            for i in environments.indices {
                environments[i].reset(seed: seed.map { $0 &+ UInt64(i) }).observation.write(into: rows.baseAddress! + i * size)
            }
        }
        for i in 0..<count { episodeReturns[i] = 0; episodeLengths[i] = 0 }
    }

    /// Steps copy i with `actions[i]`, auto-resetting copies whose episodes end.
    public mutating func step(_ actions: [Base.Action]) {
        precondition(actions.count == count, "\(actions.count) actions for \(count) environments")
        let size = observationSize, copies = count, chunks = threads
        environments.withUnsafeMutableBufferPointer { envs in
        observations.withUnsafeMutableBufferPointer { obs in
        finalObservations.withUnsafeMutableBufferPointer { finals in
        rewards.withUnsafeMutableBufferPointer { rewards in
        terminated.withUnsafeMutableBufferPointer { terminated in
        truncated.withUnsafeMutableBufferPointer { truncated in
        episodeReturns.withUnsafeMutableBufferPointer { returns in
        episodeLengths.withUnsafeMutableBufferPointer { lengths in
        actions.withUnsafeBufferPointer { actions in
            let buffers = Unchecked((envs, obs, finals, rewards, terminated, truncated, returns, lengths, actions))
            let chunk = Unchecked({ (chunk: Int) in
                let (envs, obs, finals, rewards, terminated, truncated, returns, lengths, actions) = buffers.value
                for i in (chunk * copies / chunks)..<((chunk + 1) * copies / chunks) {
                    let t = envs[i].step(actions[i])
                    rewards[i] = Float(t.reward)
                    terminated[i] = t.terminated
                    truncated[i] = t.truncated
                    returns[i] += t.reward
                    lengths[i] += 1
                    if t.isLast {
                        t.observation.write(into: finals.baseAddress! + i * size)
                        envs[i].reset(seed: nil).observation.write(into: obs.baseAddress! + i * size)
                    } else {
                        t.observation.write(into: obs.baseAddress! + i * size)
                    }
                }
            })
            if let pool { pool.run { chunk.value($0) } } else { chunk.value(0) }
        } } } } } } } } }
        finishedEpisodes.removeAll(keepingCapacity: true)
        for i in 0..<copies where terminated[i] || truncated[i] {
            finishedEpisodes.append((i, EpisodeRecord(totalReward: episodeReturns[i], length: episodeLengths[i])))
            episodeReturns[i] = 0
            episodeLengths[i] = 0
        }
    }

    /// Puts back a saved state (see `BatchedEnvironment.snapshot`).
    mutating func restore(environments: [Base], observations: [Float], episodeReturns: [Double], episodeLengths: [Int]) {
        self.environments = environments
        self.observations = observations
        self.episodeReturns = episodeReturns
        self.episodeLengths = episodeLengths
    }

    /// Row i of `observations`.
    public func observation(_ i: Int) -> ArraySlice<Float> { observations[(i * observationSize)..<((i + 1) * observationSize)] }
}

/// Buffers handed to worker threads that touch disjoint parts of them.
private struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
