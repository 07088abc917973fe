import Random

/// A finite MDP given by its table, sampled the way Gymnasium's toy-text environments sample:
/// the cumulative probabilities are compared with one uniform draw. Concrete environments
/// (FrozenLake, CliffWalking, the book's gridworlds) build the table and keep one of these.
public struct TableMDP: TabularMDP, Sendable {
    /// `table[state][action]`: the outcomes, in the order Gymnasium lists them.
    public let table: [[[Outcome]]]
    /// Probability of starting in each state.
    public let startDistribution: [Double]

    public init(table: [[[Outcome]]], startDistribution: [Double]) {
        precondition(!table.isEmpty && table.allSatisfy { $0.count == table[0].count }, "every state needs the same actions")
        precondition(startDistribution.count == table.count, "one start probability per state")
        self.table = table
        self.startDistribution = startDistribution
    }

    public var stateCount: Int { table.count }
    public var actionCount: Int { table[0].count }
    public func outcomes(state: Int, action: Int) -> [Outcome] { table[state][action] }

    /// Gymnasium's `categorical_sample`: the first index whose cumulative probability exceeds u.
    public static func sampleIndex<Probabilities: Sequence<Double>>(_ probabilities: Probabilities, using generator: inout RandomGenerator) -> Int {
        let u = generator.nextUniformDouble()
        var cumulative = 0.0
        for (index, p) in probabilities.enumerated() {
            cumulative += p
            if cumulative > u { return index }
        }
        return 0  // Gymnasium's argmax over an all-false mask is 0, too
    }

    public func sampleStart(using generator: inout RandomGenerator) -> Int {
        Self.sampleIndex(startDistribution, using: &generator)
    }

    public func sampleOutcome(state: Int, action: Int, using generator: inout RandomGenerator) -> Outcome {
        let outcomes = table[state][action]
        // A lazy view: one step allocates nothing.
        return outcomes[Self.sampleIndex(outcomes.lazy.map(\.probability), using: &generator)]
    }
}

/// An environment that moves by sampling a `TableMDP` (FrozenLake, CliffWalking, the book's
/// gridworlds): the spaces, the model and `reset`/`step` come from the table.
public protocol TableEnvironment: Environment, TabularMDP where Observation == Int, Action == Int {
    var model: TableMDP { get }
    /// The current state.
    var position: Int { get set }
    var generator: RandomGenerator { get set }
}

extension TableEnvironment {
    public var observationSpace: Space { .discrete(model.stateCount) }
    public var actionSpace: Space { .discrete(model.actionCount) }
    public var stateCount: Int { model.stateCount }
    public var actionCount: Int { model.actionCount }
    public func outcomes(state: Int, action: Int) -> [Outcome] { model.outcomes(state: state, action: action) }

    public mutating func reset(seed: UInt64?) -> (observation: Int, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        position = model.sampleStart(using: &generator)
        return (position, Info())
    }

    public mutating func step(_ action: Int) -> Transition<Int> { stepInTable(action) }

    /// Samples the outcome of `action` from the current state and moves there.
    public mutating func stepInTable(_ action: Int) -> Transition<Int> {
        precondition((0..<model.actionCount).contains(action), "action must be 0..<\(model.actionCount), got \(action)")
        let outcome = model.sampleOutcome(state: position, action: action, using: &generator)
        position = outcome.nextState
        return Transition(observation: position, reward: outcome.reward, terminated: outcome.terminal, truncated: false)
    }
}
