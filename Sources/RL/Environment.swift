import Tensor

/// What `step` returns, with Gymnasium's two flags: `terminated` when the MDP reached a
/// terminal state (do not bootstrap), `truncated` when an outside limit cut the episode
/// (bootstrap from the observation). Never one `done` flag.
public struct Transition<Observation> {
    public var observation: Observation
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool

    public init(observation: Observation, reward: Double, terminated: Bool, truncated: Bool) {
        self.observation = observation
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
    }

    /// The episode is over, for either reason.
    public var isLast: Bool { terminated || truncated }
}

/// An MDP with Gymnasium's contract. Environments are value types: copying one copies its
/// state and its random generator.
///
/// `reset(seed:)` re-seeds the environment's generator when given a seed and otherwise goes on
/// with it (a new environment starts from seed 0, so runs are reproducible by default).
public protocol Environment<Observation, Action> {
    associatedtype Observation
    associatedtype Action
    var observationSpace: Space { get }
    var actionSpace: Space { get }
    mutating func reset(seed: UInt64?) -> Observation
    mutating func step(_ action: Action) -> Transition<Observation>
}

extension Environment {
    public mutating func reset() -> Observation { reset(seed: nil) }
}

// MARK: - Numbers in, numbers out

/// An observation that can be written as flat numbers (for vector environments, the CLI and
/// the environment checker).
public protocol FlatObservation {
    var flatCount: Int { get }
    /// Writes `flatCount` numbers starting at `destination`.
    func write(into destination: UnsafeMutablePointer<Float>)
}

extension FlatObservation {
    public var flatValues: [Float] {
        [Float](unsafeUninitializedCapacity: flatCount) { buffer, count in
            write(into: buffer.baseAddress!)
            count = flatCount
        }
    }
}

extension Int: FlatObservation {
    public var flatCount: Int { 1 }
    public func write(into destination: UnsafeMutablePointer<Float>) { destination[0] = Float(self) }
}

extension Array: FlatObservation where Element == Float {
    public var flatCount: Int { count }
    public func write(into destination: UnsafeMutablePointer<Float>) {
        withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: count) }
    }
}

extension SIMD2: FlatObservation where Scalar == Float {}
extension SIMD3: FlatObservation where Scalar == Float {}
extension SIMD4: FlatObservation where Scalar == Float {}

extension SIMD where Scalar == Float {
    public var flatCount: Int { scalarCount }
    public func write(into destination: UnsafeMutablePointer<Float>) {
        for i in 0..<scalarCount { destination[i] = self[i] }
    }
}

/// An action that can be read from flat numbers (for the CLI and the checker).
public protocol FlatAction: BatchAction {
    init?(flatValues: [Double], space: Space)
}

extension Int: FlatAction {
    public init?(flatValues: [Double], space: Space) {
        guard flatValues.count == 1, space.contains(flatValues) else { return nil }
        self = Int(flatValues[0])
    }
}

extension Array: FlatAction where Element == Float {
    public init?(flatValues: [Double], space: Space) {
        guard flatValues.count == space.flatCount, flatValues.allSatisfy({ $0.isFinite }) else { return nil }
        self = flatValues.map { Float($0) }
    }
}
