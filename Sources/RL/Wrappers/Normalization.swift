/// Running mean and variance by the parallel algorithm of Chan et al. (1979), as Gymnasium's
/// and SB3's `RunningMeanStd`: the count starts at a small ε so the first update is defined.
public struct RunningMeanVariance: Equatable, Sendable, Codable {
    public private(set) var mean: [Double]
    public private(set) var variance: [Double]
    public private(set) var count: Double

    public init(dimension: Int, epsilon: Double = 1e-4) {
        mean = Array(repeating: 0, count: dimension)
        variance = Array(repeating: 1, count: dimension)
        count = epsilon
    }

    /// Folds in one sample.
    public mutating func update(_ sample: [Double]) {
        precondition(sample.count == mean.count, "sample has \(sample.count) values, statistics have \(mean.count)")
        let total = count + 1
        for i in mean.indices {
            let delta = sample[i] - mean[i]
            mean[i] += delta / total
            // M2 = var·count + 0·1 + δ²·count·1/total, then divided by the new total.
            variance[i] = (variance[i] * count + delta * delta * count / total) / total
        }
        count = total
    }

    /// Restores saved statistics (from a checkpoint).
    public init(mean: [Double], variance: [Double], count: Double) {
        precondition(mean.count == variance.count, "mean and variance differ in length")
        self.mean = mean
        self.variance = variance
        self.count = count
    }
}

/// Normalises observations to zero mean and unit variance with running statistics
/// (Gymnasium's `NormalizeObservation`): (x − μ) / √(σ² + ε).
public struct NormalizeObservation<Base: Environment>: Environment where Base.Observation: FlatObservation {
    public var base: Base
    public var statistics: RunningMeanVariance
    /// Off for evaluation: the statistics stay as they are.
    public var updatesStatistics = true
    public let epsilon: Double

    public init(_ base: Base, epsilon: Double = 1e-8) {
        self.base = base
        self.epsilon = epsilon
        statistics = RunningMeanVariance(dimension: base.observationSpace.flatCount)
    }

    public var observationSpace: Space { .box(low: -.infinity, high: .infinity, shape: [base.observationSpace.flatCount]) }
    public var actionSpace: Space { base.actionSpace }

    mutating func normalize(_ observation: Base.Observation) -> [Float] {
        let values = observation.flatValues.map(Double.init)
        if updatesStatistics { statistics.update(values) }
        return values.indices.map { i in
            Float((values[i] - statistics.mean[i]) / (statistics.variance[i] + epsilon).squareRoot())
        }
    }

    public mutating func reset(seed: UInt64?) -> (observation: [Float], info: Info) {
        let (observation, info) = base.reset(seed: seed)
        return (normalize(observation), info)
    }

    public mutating func step(_ action: Base.Action) -> Transition<[Float]> {
        let transition = base.step(action)
        return Transition(observation: normalize(transition.observation), reward: transition.reward,
                          terminated: transition.terminated, truncated: transition.truncated, info: transition.info)
    }
}

/// Scales rewards by the running standard deviation of the discounted return (Gymnasium's
/// `NormalizeReward`): r / √(Var[G] + ε), with G ← γ·G·(1 − terminated) + r.
public struct ScaleReward<Base: Environment>: Environment {
    public var base: Base
    public var statistics = RunningMeanVariance(dimension: 1)
    public var updatesStatistics = true
    public let gamma: Double
    public let epsilon: Double
    private var discountedReturn = 0.0

    public init(_ base: Base, gamma: Double = 0.99, epsilon: Double = 1e-8) {
        self.base = base
        self.gamma = gamma
        self.epsilon = epsilon
    }

    public var observationSpace: Space { base.observationSpace }
    public var actionSpace: Space { base.actionSpace }

    public mutating func reset(seed: UInt64?) -> (observation: Base.Observation, info: Info) { base.reset(seed: seed) }

    public mutating func step(_ action: Base.Action) -> Transition<Base.Observation> {
        var transition = base.step(action)
        discountedReturn = discountedReturn * gamma * (transition.terminated ? 0 : 1) + transition.reward
        if updatesStatistics { statistics.update([discountedReturn]) }
        transition.reward /= (statistics.variance[0] + epsilon).squareRoot()
        return transition
    }
}
