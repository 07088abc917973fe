import RL
import Tensor

/// LinUCB with disjoint linear models (Li et al., 2010, Algorithm 1): for each arm a ridge
/// regression A_a = I + Σ x xᵀ, b_a = Σ r x; choose argmax θ̂_aᵀx + α √(xᵀ A_a⁻¹ x) with
/// θ̂_a = A_a⁻¹ b_a. A_a⁻¹ is kept directly by Sherman–Morrison rank-one updates.
public struct LinUCB {
    public let alpha: Double
    public let dimension: Int
    /// A_a⁻¹ per arm, row-major d×d.
    public private(set) var inverses: [[Double]]
    public private(set) var b: [[Double]]

    public init(arms: Int, dimension: Int, alpha: Double = 1) {
        self.alpha = alpha
        self.dimension = dimension
        let identity = (0..<(dimension * dimension)).map { $0 / dimension == $0 % dimension ? 1.0 : 0.0 }
        inverses = Array(repeating: identity, count: arms)
        b = Array(repeating: Array(repeating: 0, count: dimension), count: arms)
    }

    func multiply(_ m: [Double], _ x: [Double]) -> [Double] {
        (0..<dimension).map { i in (0..<dimension).reduce(0) { $0 + m[i * dimension + $1] * x[$1] } }
    }

    /// θ̂_aᵀx and the confidence width α √(xᵀ A⁻¹ x) of every arm.
    public func scores(context x: [Double]) -> [(estimate: Double, width: Double)] {
        inverses.indices.map { a in
            let ax = multiply(inverses[a], x)
            let theta = multiply(inverses[a], b[a])
            let estimate = zip(theta, x).reduce(0) { $0 + $1.0 * $1.1 }
            let width = alpha * zip(x, ax).reduce(0) { $0 + $1.0 * $1.1 }.squareRoot()
            return (estimate, width)
        }
    }

    public func selectArm(context x: [Double], using generator: inout RandomGenerator) -> Int {
        epsilonGreedy(scores(context: x).map { $0.estimate + $0.width }, epsilon: 0, using: &generator)
    }

    public mutating func update(arm: Int, context x: [Double], reward: Double) {
        // (A + x xᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x), A symmetric.
        let ax = multiply(inverses[arm], x)
        let denominator = 1 + zip(x, ax).reduce(0) { $0 + $1.0 * $1.1 }
        for i in 0..<dimension {
            for j in 0..<dimension { inverses[arm][i * dimension + j] -= ax[i] * ax[j] / denominator }
        }
        for i in 0..<dimension { b[arm][i] += reward * x[i] }
    }
}
