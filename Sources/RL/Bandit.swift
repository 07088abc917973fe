/// A multi-armed bandit an experiment can score: it knows its best arm, so the book's
/// "% optimal action" can be counted, and what kind of rewards it pays.
public protocol BanditProblem: Environment where Action == Int {
    var arms: Int { get }
    /// The arm with the highest expected reward now (read before a step: a random walk moves after it).
    var optimalAction: Int { get }
    /// Rewards are 0 or 1 (Thompson sampling then keeps a Beta posterior per arm).
    var hasBernoulliRewards: Bool { get }
}

/// A contextual bandit: each observation is a context of `dimension` numbers, and the best arm
/// depends on it.
public protocol ContextualBanditProblem: Environment where Action == Int, Observation == [Float] {
    var arms: Int { get }
    var dimension: Int { get }
    /// The arm with the highest expected reward for the current context.
    var optimalAction: Int { get }
}

// `make` wraps bandits in their time limit; the wrapper is the same bandit.
extension TimeLimit: BanditProblem where Base: BanditProblem {
    public var arms: Int { base.arms }
    public var optimalAction: Int { base.optimalAction }
    public var hasBernoulliRewards: Bool { base.hasBernoulliRewards }
}

extension TimeLimit: ContextualBanditProblem where Base: ContextualBanditProblem {
    public var arms: Int { base.arms }
    public var dimension: Int { base.dimension }
    public var optimalAction: Int { base.optimalAction }
}
