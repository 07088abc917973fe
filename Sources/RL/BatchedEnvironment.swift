import Foundation

/// What a deep agent sees of N environments: flat rows of numbers in and out, whatever the
/// concrete environment. `VectorEnvironment` is the implementation; agents hold it through this
/// protocol so one agent file serves every environment id.
public protocol BatchedEnvironment {
    var count: Int { get }
    var observationSize: Int { get }
    var observationSpace: Space { get }
    var actionSpace: Space { get }
    /// count × observationSize; after a step, the first observation of the next episode for
    /// copies whose episode ended.
    var observations: [Float] { get }
    /// Row i is the observation copy i's episode ended on (valid where terminated or truncated).
    var finalObservations: [Float] { get }
    var rewards: [Float] { get }
    var terminated: [Bool] { get }
    var truncated: [Bool] { get }
    var finishedEpisodes: [(copy: Int, record: EpisodeRecord)] { get }
    /// Resets every copy; copy i is seeded with seed + i.
    mutating func reset(seed: UInt64?)
    /// Steps with `actions` given as `count` rows of `actionSpace.flatCount` numbers.
    mutating func step(flatActions actions: [Float])
    /// Everything needed to continue exactly: each copy's state and generator, episode counters.
    func snapshot() throws -> Data
    mutating func restore(from snapshot: Data) throws
}

/// Why a batched environment cannot be saved or restored.
public enum SnapshotError: Error, CustomStringConvertible {
    case notCodable(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .notCodable(let type): "\(type) cannot be saved in a checkpoint (it is not Codable)"
        case .malformed(let detail): "environment state in the checkpoint is malformed: \(detail)"
        }
    }
}

private struct VectorSnapshot: Codable {
    var environments: Data
    var observations: [Float]
    var episodeReturns: [Double]
    var episodeLengths: [Int]
}

extension VectorEnvironment: BatchedEnvironment where Base.Action: FlatAction {
    public mutating func step(flatActions actions: [Float]) {
        let space = actionSpace, width = space.flatCount
        precondition(actions.count == count * width, "\(actions.count) action numbers for \(count) × \(width)")
        let typed = actions.withUnsafeBufferPointer { rows in
            (0..<count).map { i -> Base.Action in
                // An agent writes actions of the space; anything else is a bug in the agent.
                guard let action = Base.Action(flat: UnsafeBufferPointer(rebasing: rows[(i * width)..<((i + 1) * width)]), space: space) else {
                    preconditionFailure("row \(i) of the actions is not in \(space): \(Array(rows[(i * width)..<((i + 1) * width)]))")
                }
                return action
            }
        }
        step(typed)
    }

    public func snapshot() throws -> Data {
        guard let encodable = environments as? any Encodable else { throw SnapshotError.notCodable("\(Base.self)") }
        let state = VectorSnapshot(environments: try JSONEncoder().encode(encodable), observations: observations,
                                   episodeReturns: episodeReturns, episodeLengths: episodeLengths)
        return try JSONEncoder().encode(state)
    }

    public mutating func restore(from snapshot: Data) throws {
        guard let type = [Base].self as? any Decodable.Type else { throw SnapshotError.notCodable("\(Base.self)") }
        do {
            let state = try JSONDecoder().decode(VectorSnapshot.self, from: snapshot)
            guard let copies = try JSONDecoder().decode(type, from: state.environments) as? [Base],
                  copies.count == count, state.observations.count == observations.count,
                  state.episodeReturns.count == count, state.episodeLengths.count == count else {
                throw SnapshotError.malformed("expected \(count) copies of \(Base.self)")
            }
            restore(environments: copies, observations: state.observations,
                    episodeReturns: state.episodeReturns, episodeLengths: state.episodeLengths)
        } catch let error as SnapshotError {
            throw error
        } catch {
            throw SnapshotError.malformed("\(error)")
        }
    }
}

extension DynamicEnvironment {
    /// `copies` copies of this environment (with its wrappers) as one batched environment.
    public func batched(copies: Int, threads: Int = 1) throws -> any BatchedEnvironment {
        try makeBatched(copies: copies, threads: threads)
    }
}
