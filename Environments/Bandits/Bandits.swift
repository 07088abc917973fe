import Drawing
import Foundation
import RL
import Random

// Bandits: one state (observation 0, or a context vector), an arm per action, no termination.
// Each exposes the true values so that experiments can report the optimal-action fraction.

/// The k-armed testbed of Sutton & Barto §2.3: each arm's true value q*(a) is drawn from
/// N(mean, 1) at reset and rewards from N(q*(a), 1). The non-stationary variant (Exercise 2.5)
/// starts all q*(a) equal to `mean` and moves each by an independent N(0, 0.01²) step after
/// every pull.
public struct GaussianBandit: BanditProblem {
    public let arms: Int
    public let stationary: Bool
    public let mean: Double
    public let walkStandardDeviation: Double
    public private(set) var trueValues: [Double]
    private var generator = RandomGenerator(seed: 0)

    public init(arms: Int = 10, stationary: Bool = true, mean: Double = 0, walkStandardDeviation: Double = 0.01) {
        precondition(arms >= 1, "a bandit needs at least one arm")
        self.arms = arms
        self.stationary = stationary
        self.mean = mean
        self.walkStandardDeviation = walkStandardDeviation
        trueValues = Array(repeating: mean, count: arms)
    }

    public var observationSpace: Space { .discrete(1) }
    public var actionSpace: Space { .discrete(arms) }
    /// The arm with the highest true value (the first, on ties).
    public var optimalAction: Int { trueValues.indices.max { trueValues[$0] < trueValues[$1] || (trueValues[$0] == trueValues[$1] && $0 > $1) }! }
    public var hasBernoulliRewards: Bool { false }

    public mutating func reset(seed: UInt64?) -> (observation: Int, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        trueValues = stationary ? (0..<arms).map { _ in mean + Double(generator.nextNormal()) } : Array(repeating: mean, count: arms)
        return (0, Info())
    }

    public mutating func step(_ action: Int) -> Transition<Int> {
        precondition((0..<arms).contains(action), "arm must be 0..<\(arms), got \(action)")
        let reward = trueValues[action] + Double(generator.nextNormal())
        if !stationary {
            for arm in 0..<arms { trueValues[arm] += walkStandardDeviation * Double(generator.nextNormal()) }
        }
        return Transition(observation: 0, reward: reward, terminated: false, truncated: false)
    }
}

/// Arms that pay 1 with probability p(a), drawn U(0, 1) at reset unless given.
public struct BernoulliBandit: BanditProblem {
    public let arms: Int
    public let fixedProbabilities: [Double]?
    public private(set) var probabilities: [Double]
    private var generator = RandomGenerator(seed: 0)

    public init(arms: Int = 10, probabilities: [Double]? = nil) {
        precondition(probabilities.map { $0.count == arms && $0.allSatisfy { (0...1).contains($0) } } ?? (arms >= 1),
                     "one probability in [0, 1] per arm")
        self.arms = arms
        fixedProbabilities = probabilities
        self.probabilities = probabilities ?? Array(repeating: 0.5, count: arms)
    }

    public var observationSpace: Space { .discrete(1) }
    public var actionSpace: Space { .discrete(arms) }
    public var optimalAction: Int { probabilities.indices.max { probabilities[$0] < probabilities[$1] }! }
    public var hasBernoulliRewards: Bool { true }

    public mutating func reset(seed: UInt64?) -> (observation: Int, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        probabilities = fixedProbabilities ?? (0..<arms).map { _ in generator.nextUniformDouble() }
        return (0, Info())
    }

    public mutating func step(_ action: Int) -> Transition<Int> {
        precondition((0..<arms).contains(action), "arm must be 0..<\(arms), got \(action)")
        let reward: Double = generator.nextUniformDouble() < probabilities[action] ? 1 : 0
        return Transition(observation: 0, reward: reward, terminated: false, truncated: false)
    }
}

/// A contextual bandit with linear payoffs (Li et al., 2010, the setting of LinUCB): each step
/// shows a context x ~ N(0, I_d); arm a pays θ_aᵀx + N(0, σ²), with θ_a ~ N(0, I_d / d) drawn at
/// reset. The observation is the context.
public struct ContextualLinearBandit: ContextualBanditProblem {
    public let arms: Int, dimension: Int
    public let noise: Double
    public private(set) var parameters: [[Double]]
    public private(set) var context: [Double]
    private var generator = RandomGenerator(seed: 0)

    public init(arms: Int = 5, dimension: Int = 4, noise: Double = 0.1) {
        precondition(arms >= 1 && dimension >= 1, "a contextual bandit needs arms and features")
        self.arms = arms
        self.dimension = dimension
        self.noise = noise
        parameters = Array(repeating: Array(repeating: 0, count: dimension), count: arms)
        context = Array(repeating: 0, count: dimension)
    }

    public var observationSpace: Space { .box(low: -.infinity, high: .infinity, shape: [dimension]) }
    public var actionSpace: Space { .discrete(arms) }

    /// θ_aᵀx for the context on show.
    public var expectedRewards: [Double] { parameters.map { zip($0, context).reduce(0) { $0 + $1.0 * $1.1 } } }
    public var optimalAction: Int { let r = expectedRewards; return r.indices.max { r[$0] < r[$1] }! }

    mutating func drawContext() -> [Float] {
        context = (0..<dimension).map { _ in Double(generator.nextNormal()) }
        return context.map { Float($0) }
    }

    public mutating func reset(seed: UInt64?) -> (observation: [Float], info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        let scale = 1 / Double(dimension).squareRoot()
        parameters = (0..<arms).map { _ in (0..<dimension).map { _ in scale * Double(generator.nextNormal()) } }
        return (drawContext(), Info())
    }

    public mutating func step(_ action: Int) -> Transition<[Float]> {
        precondition((0..<arms).contains(action), "arm must be 0..<\(arms), got \(action)")
        let reward = expectedRewards[action] + noise * Double(generator.nextNormal())
        return Transition(observation: drawContext(), reward: reward, terminated: false, truncated: false)
    }
}

extension GaussianBandit: DynamicEnvironment {
    public var scene: any Scene { BanditScene(trueValues: trueValues) }

    public func renderText() -> String {
        "q* = [" + trueValues.map { String(format: "%+.2f", $0) }.joined(separator: " ") + "]  best arm \(optimalAction)"
    }
}

extension BernoulliBandit: DynamicEnvironment {
    public var scene: any Scene { BanditScene(trueValues: probabilities) }

    public func renderText() -> String {
        "p = [" + probabilities.map { String(format: "%.2f", $0) }.joined(separator: " ") + "]  best arm \(optimalAction)"
    }
}

extension ContextualLinearBandit: DynamicEnvironment {
    /// The arms' expected payoffs for the context on show.
    public var scene: any Scene { BanditScene(trueValues: expectedRewards) }

    public func renderText() -> String {
        "x = [" + context.map { String(format: "%+.2f", $0) }.joined(separator: " ") + "]  best arm \(optimalAction)"
    }
}
