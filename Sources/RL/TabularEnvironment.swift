import Tensor

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
    public static func sampleIndex(_ probabilities: [Double], using generator: inout RandomGenerator) -> Int {
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
        return outcomes[Self.sampleIndex(outcomes.map(\.probability), using: &generator)]
    }
}
