// Weight initialisers with PyTorch's definitions of fan-in, fan-out and gain, so published
// recipes ("orthogonal with gain √2", "Xavier uniform") mean the same thing here.

public enum Initializer {
    /// (fan-in, fan-out) of a weight [out, in, receptive…].
    static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "fan-in and fan-out need a weight of rank ≥ 2, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    public static func zeros(_ shape: [Int]) -> Tensor { .zeros(shape) }

    /// A (semi-)orthogonal matrix times `gain` (Saxe et al., 2014): rows or columns are
    /// orthonormal, whichever are fewer. PPO and A2C initialise with it (gain √2 hidden,
    /// 0.01 policy head, 1 value head). Made by QR of a Gaussian matrix, signs fixed so
    /// the distribution is uniform over orthogonal matrices.
    public static func orthogonal(_ shape: [Int], gain: Float = 1, using generator: inout RandomGenerator) -> Tensor {
        precondition(shape.count >= 2, "orthogonal initialisation needs rank ≥ 2, got \(shape)")
        let rows = shape[0], columns = shape.dropFirst().reduce(1, *)
        let tall = rows >= columns
        let (n, m) = tall ? (rows, columns) : (columns, rows)  // factor an n×m matrix, n ≥ m
        // Columns of a Gaussian n×m matrix, orthonormalised by modified Gram–Schmidt in Double.
        // Gram–Schmidt yields R with a positive diagonal: the sign-fixed Q of a QR.
        var q = (0..<m).map { _ in (0..<n).map { _ in Double(generator.nextNormal()) } }
        for j in 0..<m {
            for i in 0..<j {
                let projection = zip(q[i], q[j]).reduce(0) { $0 + $1.0 * $1.1 }
                for r in 0..<n { q[j][r] -= projection * q[i][r] }
            }
            let norm = q[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
            for r in 0..<n { q[j][r] /= norm }
        }
        var values = [Float](repeating: 0, count: rows * columns)
        for r in 0..<n {
            for c in 0..<m {
                // q[c][r] is element (r, c) of the n×m factor; transpose back when wide.
                let (row, column) = tall ? (r, c) : (c, r)
                values[row * columns + column] = gain * Float(q[c][r])
            }
        }
        return Tensor(values, shape: shape)
    }

    /// Glorot & Bengio (2010): U(±gain·√(6 / (fan-in + fan-out))).
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, using generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
        return .uniform(shape, low: -bound, high: bound, using: &generator)
    }

    /// Glorot & Bengio (2010): N(0, gain²·2 / (fan-in + fan-out)).
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, using generator: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return .normal(shape, standardDeviation: gain * (2 / Float(fanIn + fanOut)).squareRoot(), using: &generator)
    }

    /// He et al. (2015), fan-in mode: U(±gain·√(3 / fan-in)); gain √2 suits ReLU.
    public static func kaimingUniform(_ shape: [Int], gain: Float = Float(2).squareRoot(), using generator: inout RandomGenerator) -> Tensor {
        let bound = gain * (3 / Float(fans(shape).fanIn)).squareRoot()
        return .uniform(shape, low: -bound, high: bound, using: &generator)
    }

    /// He et al. (2015), fan-in mode: N(0, gain² / fan-in).
    public static func kaimingNormal(_ shape: [Int], gain: Float = Float(2).squareRoot(), using generator: inout RandomGenerator) -> Tensor {
        .normal(shape, standardDeviation: gain / Float(fans(shape).fanIn).squareRoot(), using: &generator)
    }
}
