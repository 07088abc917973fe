import Random

/// What `step` returns, as Gymnasium's `(observation, reward, terminated, truncated, info)`:
/// `terminated` when the MDP reached a terminal state (do not bootstrap), `truncated` when an
/// outside limit cut the episode (bootstrap from the observation). Never one `done` flag.
public struct Transition<Observation> {
    public var observation: Observation
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool
    public var info: Info

    public init(observation: Observation, reward: Double, terminated: Bool, truncated: Bool, info: Info = Info()) {
        self.observation = observation
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
        self.info = info
    }

    /// The episode is over, for either reason.
    public var isLast: Bool { terminated || truncated }
}

/// An MDP with Gymnasium's contract. Environments are value types: copying one copies its
/// state and its random generator.
///
/// `reset(seed:)` re-seeds the environment's generator when given a seed and otherwise goes on
/// with it (a new environment starts from seed 0, so runs are reproducible by default), and
/// returns the first observation with an `Info`, as Gymnasium's `obs, info = env.reset(seed=…)`.
public protocol Environment<Observation, Action> {
    associatedtype Observation
    associatedtype Action
    var observationSpace: Space { get }
    var actionSpace: Space { get }
    mutating func reset(seed: UInt64?) -> (observation: Observation, info: Info)
    mutating func step(_ action: Action) -> Transition<Observation>
}

extension Environment {
    public mutating func reset() -> (observation: Observation, info: Info) { reset(seed: nil) }
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

/// An action read from flat numbers: a discrete action is its index, a continuous one its
/// components. The one decoder of every path that turns numbers into actions — a row of an
/// agent's action buffer, the command line's text, the environment checker's draws — so all of
/// them accept and refuse the same things: nil when the numbers are not an action of `space`
/// (a discrete index out of range or not whole, the wrong count, a component not finite).
public protocol FlatAction {
    init?(flat values: UnsafeBufferPointer<Float>, space: Space)
}

extension Int: FlatAction {
    public init?(flat values: UnsafeBufferPointer<Float>, space: Space) {
        guard values.count == 1, case .discrete(let n) = space, let value = values.first,
              value == value.rounded(), value >= 0, value < Float(n) else { return nil }
        self = Int(value)
    }
}

extension Array: FlatAction where Element == Float {
    public init?(flat values: UnsafeBufferPointer<Float>, space: Space) {
        guard values.count == space.flatCount, values.allSatisfy({ $0.isFinite }) else { return nil }
        self = Array(values)
    }
}

extension FlatAction {
    /// The action that `values` (as given on the command line) describe, if any.
    public init?(flatValues values: [Double], space: Space) {
        let floats = values.map { Float($0) }
        guard let action = floats.withUnsafeBufferPointer({ Self(flat: $0, space: space) }) else { return nil }
        self = action
    }
}
