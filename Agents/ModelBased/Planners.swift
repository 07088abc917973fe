// Trajectory optimisers for model-predictive control, as MBRL-Lib's `planning/trajectory_opt.py`
// runs them: each proposes action sequences (a population of H × A plans), asks an objective for
// their values (the predicted return), and returns the plan to act on. The planner acts on its
// first action, then replans from the next state with the plan shifted by one step (warm start).
//
//   CEM (Chua et al. 2018, "CEM_PETS"): sample from a truncated normal N(μ, σ²) kept inside the
//     bounds, keep the ⌈ρ·N⌉ best (elites), μ ← αμ + (1−α)·mean(elites), σ² ← ασ² + (1−α)·var(elites);
//     return the best plan seen, or (MBRL-Lib's return_mean_elites, PETS' default) the last mean.
//   MPPI (Williams et al. 2017, in PDDM's form, Nagabandi et al. 2019): time-correlated noise
//     around the mean plan, weights exp(γ·(R − max R)), mean ← Σ w·plan / Σ w.
//   Random shooting: uniform plans, the best one — the floor.
import Foundation
import Random

/// Action sequences of `horizon` steps of `actionSize` numbers in [low, high] per number.
public struct PlanShape: Sendable, Equatable {
    public let horizon: Int, actionSize: Int
    public let low: [Float], high: [Float]
    public var count: Int { horizon * actionSize }

    public init(horizon: Int, actionSize: Int, low: [Float], high: [Float]) {
        precondition(horizon >= 1 && actionSize >= 1 && low.count == actionSize && high.count == actionSize)
        (self.horizon, self.actionSize, self.low, self.high) = (horizon, actionSize, low, high)
    }

    func lower(_ i: Int) -> Float { low[i % actionSize] }
    func upper(_ i: Int) -> Float { high[i % actionSize] }
    /// The middle of the bounds at every step: the plan before anything is known.
    public var middle: [Float] { (0..<count).map { (lower($0) + upper($0)) / 2 } }
}

/// What an optimiser maximises: `plans` is `population` rows of `PlanShape.count` numbers; one
/// value per row (a NaN counts as −1e-10, as in MBRL-Lib).
public typealias PlanObjective = (_ plans: [Float], _ population: Int) -> [Float]

public protocol TrajectoryOptimizer {
    var shape: PlanShape { get }
    /// The plan to act on, starting from `initial` (the previous plan shifted by one step).
    mutating func optimize(_ objective: PlanObjective, initial: [Float], using generator: inout RandomGenerator) -> [Float]
    /// Forgets what it kept between calls (a new episode).
    mutating func reset()
    /// What it keeps between calls (MPPI's mean plan; nothing for the others), for a checkpoint taken mid-episode.
    var carried: [Float] { get set }
}

extension TrajectoryOptimizer {
    public mutating func reset() {}
    public var carried: [Float] {
        get { [] }
        set {}
    }
}

/// A standard normal draw redrawn until it falls within two standard deviations
/// (`mbrl.util.math.truncated_normal_`).
func truncatedNormal(using generator: inout RandomGenerator) -> Float {
    while true {
        let z = generator.nextNormal()
        if abs(z) <= 2 { return z }
    }
}

func sanitized(_ values: [Float]) -> [Float] { values.map { $0.isNaN ? -1e-10 : $0 } }

/// Indices of the `k` largest values, the largest first (ties: the lower index first).
func topIndices(_ values: [Float], _ k: Int) -> [Int] {
    Array(values.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }.prefix(k))
}

public struct CrossEntropyMethod: TrajectoryOptimizer {
    public let shape: PlanShape
    public var iterations: Int, population: Int, eliteRatio: Double, alpha: Float
    /// Return the last elites' mean instead of the best plan seen.
    public var returnMeanElites = false
    public var elites: Int { Int((Double(population) * eliteRatio).rounded(.up)) }

    public init(shape: PlanShape, iterations: Int = 5, population: Int = 500, eliteRatio: Double = 0.1, alpha: Float = 0.1,
                returnMeanElites: Bool = false) {
        precondition(iterations >= 1 && population >= 2 && eliteRatio > 0 && eliteRatio <= 1 && (0..<1).contains(alpha))
        (self.shape, self.iterations, self.population, self.eliteRatio, self.alpha) = (shape, iterations, population, eliteRatio, alpha)
        self.returnMeanElites = returnMeanElites
    }

    public mutating func optimize(_ objective: PlanObjective, initial: [Float], using generator: inout RandomGenerator) -> [Float] {
        let n = shape.count, k = elites
        var mean = initial
        // The initial spread: a quarter of the range as the standard deviation.
        var variance = (0..<n).map { i in (shape.upper(i) - shape.lower(i)) * (shape.upper(i) - shape.lower(i)) / 16 }
        var best = initial, bestValue = -Float.infinity
        var plans = [Float](repeating: 0, count: population * n)
        for _ in 0..<iterations {
            // σ at most half the distance to the nearer bound, so ±2σ stays inside.
            let sigma = (0..<n).map { i -> Float in
                let room = Swift.min(mean[i] - shape.lower(i), shape.upper(i) - mean[i]) / 2
                return Swift.min(room * room, variance[i]).squareRoot()
            }
            for p in 0..<population {
                for i in 0..<n { plans[p * n + i] = mean[i] + sigma[i] * truncatedNormal(using: &generator) }
            }
            let values = sanitized(objective(plans, population))
            let top = topIndices(values, k)
            for i in 0..<n {
                let column = top.map { plans[$0 * n + i] }
                let m = column.reduce(0, +) / Float(k)
                // torch.var's default: the unbiased estimate (one elite: no spread).
                let v = k > 1 ? column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Float(k - 1) : 0
                mean[i] = alpha * mean[i] + (1 - alpha) * m
                variance[i] = alpha * variance[i] + (1 - alpha) * v
            }
            if values[top[0]] > bestValue {
                bestValue = values[top[0]]
                best = Array(plans[(top[0] * n)..<((top[0] + 1) * n)])
            }
        }
        return returnMeanElites ? mean : best
    }
}

public struct MPPI: TrajectoryOptimizer {
    public let shape: PlanShape
    public var iterations: Int, population: Int
    /// γ: how sharply the weights prefer the best plans; σ: the noise's scale; β: how much each
    /// step's action follows its own noise rather than the previous step's action.
    public var gamma: Float, sigma: Float, beta: Float
    /// The mean plan, kept between calls (MPPI shifts it itself).
    public internal(set) var mean: [Float]

    public init(shape: PlanShape, iterations: Int = 5, population: Int = 500, gamma: Float = 10, sigma: Float = 1, beta: Float = 0.7) {
        precondition(iterations >= 1 && population >= 1 && sigma > 0 && (0...1).contains(beta))
        (self.shape, self.iterations, self.population) = (shape, iterations, population)
        (self.gamma, self.sigma, self.beta) = (gamma, sigma, beta)
        mean = [Float](repeating: 0, count: shape.count)
    }

    /// MPPI ignores `initial`: its own mean, shifted by one step, is the warm start.
    public mutating func optimize(_ objective: PlanObjective, initial: [Float], using generator: inout RandomGenerator) -> [Float] {
        let (h, a, n) = (shape.horizon, shape.actionSize, shape.count)
        let pastAction = Array(mean[0..<a])
        mean = Array(mean[a...]) + mean[(n - a)...]
        var plans = [Float](repeating: 0, count: population * n)
        for _ in 0..<iterations {
            for p in 0..<population {
                for t in 0..<h {
                    for j in 0..<a {
                        // PDDM's noise scale σ (MBRL-Lib's code leaves it at 1, its default).
                        let i = t * a + j, noise = sigma * truncatedNormal(using: &generator)
                        let previous = t == 0 ? pastAction[j] : plans[p * n + i - a]
                        let value = beta * (mean[i] + noise) + (1 - beta) * previous
                        plans[p * n + i] = Swift.min(Swift.max(value, shape.lower(i)), shape.upper(i))
                    }
                }
            }
            let values = sanitized(objective(plans, population))
            let top = values.max() ?? 0
            let weights = values.map { exponential(gamma * ($0 - top)) }
            let norm = weights.reduce(0, +) + 1e-10
            for i in 0..<n {
                var total: Float = 0
                for p in 0..<population { total += weights[p] * plans[p * n + i] }
                mean[i] = total / norm
            }
        }
        return mean
    }

    public mutating func reset() { mean = [Float](repeating: 0, count: shape.count) }

    public var carried: [Float] {
        get { mean }
        set { mean = newValue }
    }
}

/// e^x, 0 for a value that is not a number (an infinite return's plan gets no weight).
private func exponential(_ x: Float) -> Float { x.isFinite ? Foundation.exp(x) : 0 }

public struct RandomShooting: TrajectoryOptimizer {
    public let shape: PlanShape
    public var population: Int

    public init(shape: PlanShape, population: Int = 2500) {
        precondition(population >= 1)
        (self.shape, self.population) = (shape, population)
    }

    public mutating func optimize(_ objective: PlanObjective, initial: [Float], using generator: inout RandomGenerator) -> [Float] {
        let n = shape.count
        var plans = [Float](repeating: 0, count: population * n)
        for p in 0..<population {
            for i in 0..<n { plans[p * n + i] = shape.lower(i) + (shape.upper(i) - shape.lower(i)) * generator.nextUniform() }
        }
        let best = topIndices(sanitized(objective(plans, population)), 1)[0]
        return Array(plans[(best * n)..<((best + 1) * n)])
    }
}

/// Model-predictive control's bookkeeping around an optimiser: the previous plan shifted by one
/// step (the last step padded with the middle of the bounds) is the next call's starting point.
public struct RecedingHorizon {
    public var optimizer: any TrajectoryOptimizer
    public internal(set) var previous: [Float]

    public init(_ optimizer: any TrajectoryOptimizer) {
        self.optimizer = optimizer
        previous = optimizer.shape.middle
    }

    /// The whole plan found from the current state; act on its first `actionSize` numbers.
    public mutating func plan(_ objective: PlanObjective, using generator: inout RandomGenerator) -> [Float] {
        let plan = optimizer.optimize(objective, initial: previous, using: &generator)
        let a = optimizer.shape.actionSize
        previous = Array(plan[a...]) + optimizer.shape.middle.suffix(a)
        return plan
    }

    /// A new episode: forget the plan.
    public mutating func reset() {
        previous = optimizer.shape.middle
        optimizer.reset()
    }

    /// The warm start for the next call and the optimizer's own state, for a checkpoint taken mid-episode;
    /// setting it to a value of another size is refused (false).
    public var carried: [Float] { previous + optimizer.carried }

    public mutating func restore(carried: [Float]) -> Bool {
        let n = optimizer.shape.count, own = optimizer.carried.count
        guard carried.count == n + own, carried.allSatisfy(\.isFinite) else { return false }
        previous = Array(carried[..<n])
        optimizer.carried = Array(carried[n...])
        return true
    }
}
