import Foundation

// Optimisers as PyTorch defines them (torch.optim, single-tensor form), so a recipe's
// hyper-parameters carry over unchanged. Each keeps its state in buffers allocated once, and
// `step()` is one loop per parameter with no allocation.

public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    var learningRate: Float { get set }
    /// Applies one update from the accumulated gradients (parameters without one are skipped).
    func step()
    /// The optimiser's running state (moments, step count) as named buffers, for checkpoints.
    var state: [(name: String, values: [Float])] { get }
    /// Puts back a state saved by `state`; all or nothing.
    func loadState(_ state: [String: [Float]]) throws
}

/// Checks saved optimiser buffers against the current ones before anything is overwritten.
func restoredBuffers(_ saved: [String: [Float]], current: [(name: String, values: [Float])]) throws -> [[Float]] {
    try current.map { name, values in
        guard let buffer = saved[name] else { throw CheckpointError.missingParameter("optimizer." + name) }
        guard buffer.count == values.count else {
            throw CheckpointError.shapeMismatch(name: "optimizer." + name, expected: [values.count], found: [buffer.count])
        }
        guard buffer.allSatisfy(\.isFinite) else { throw CheckpointError.nonFinite("optimizer." + name) }
        return buffer
    }
}

extension Optimizer {
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// Zeroed buffers matching each parameter.
func zeroBuffers(like parameters: [Parameter]) -> [[Float]] {
    parameters.map { [Float](repeating: 0, count: $0.value.count) }
}

/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov) and L2 decay.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float, weightDecay: Float, nesterov: Bool
    private var velocity: [[Float]]
    private var started = false

    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        velocity = zeroBuffers(like: parameters)
    }

    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            grad.withUnsafeBufferPointer { g in
                velocity[index].withUnsafeMutableBufferPointer { b in
                    parameter.update { p in
                        for i in 0..<p.count {
                            var d = g[i] + weightDecay * p[i]
                            if momentum != 0 {
                                b[i] = started ? momentum * b[i] + d : d  // PyTorch: b₁ = g₁
                                d = nesterov ? d + momentum * b[i] : b[i]
                            }
                            p[i] -= learningRate * d
                        }
                    }
                }
            }
        }
        started = true
    }

    public var state: [(name: String, values: [Float])] {
        [("started", [started ? 1 : 0])] + velocity.enumerated().map { ("\($0.offset).momentum", $0.element) }
    }

    public func loadState(_ saved: [String: [Float]]) throws {
        let buffers = try restoredBuffers(saved, current: state)
        started = buffers[0][0] != 0
        velocity = Array(buffers.dropFirst())
    }
}

/// Adam (Kingma & Ba, 2015) with bias correction; `weightDecay` is L2 added to the gradient.
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// Decoupled weight decay (AdamW) instead of L2.
    let decoupled: Bool
    private var firstMoment: [[Float]], secondMoment: [[Float]]
    public private(set) var stepCount = 0

    public convenience init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: false)
    }

    init(_ parameters: [Parameter], _ learningRate: Float, _ beta1: Float, _ beta2: Float,
         _ epsilon: Float, _ weightDecay: Float, decoupled: Bool) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        firstMoment = zeroBuffers(like: parameters)
        secondMoment = zeroBuffers(like: parameters)
    }

    public func step() {
        stepCount += 1
        let t = Float(stepCount)
        let stepSize = learningRate / (1 - Foundation.pow(beta1, t))
        // PyTorch divides √v by √(1 − β₂ᵗ); multiplying by its reciprocal differs by at most an ULP
        // and keeps one of the two divisions per element out of the divider (sqrt's unit too).
        let inverseCorrection2 = 1 / (1 - Foundation.pow(beta2, t)).squareRoot()
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let l2: Float = decoupled ? 0 : weightDecay
        let shrink: Float = decoupled ? 1 - learningRate * weightDecay : 1
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            grad.withUnsafeBufferPointer { g in
                firstMoment[index].withUnsafeMutableBufferPointer { m in
                    secondMoment[index].withUnsafeMutableBufferPointer { v in
                        parameter.update { p in
                            adamKernel(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, p.count,
                                       b1, b2, eps, l2, shrink, stepSize, inverseCorrection2)
                        }
                    }
                }
            }
        }
    }

    public var state: [(name: String, values: [Float])] {
        [("step", [Float(stepCount)])]
            + firstMoment.enumerated().map { ("\($0.offset).exp_avg", $0.element) }
            + secondMoment.enumerated().map { ("\($0.offset).exp_avg_sq", $0.element) }
    }

    public func loadState(_ saved: [String: [Float]]) throws {
        let buffers = try restoredBuffers(saved, current: state)
        let n = parameters.count
        guard let step = Int(exactly: buffers[0][0]), step >= 0 else {
            throw CheckpointError.invalidValue(name: "optimizer.step", value: "\(buffers[0][0])", expected: "a whole number ≥ 0")
        }
        guard buffers[(n + 1)...].allSatisfy({ $0.allSatisfy { $0 >= 0 } }) else {
            throw CheckpointError.invalidValue(name: "optimizer second moments", value: "< 0", expected: "values ≥ 0 (they are squares)")
        }
        stepCount = step
        firstMoment = Array(buffers[1...n])
        secondMoment = Array(buffers[(n + 1)...])
    }
}

/// One Adam update over a buffer; locals only, so the loop vectorises.
@inline(__always)
private func adamKernel(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                        _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ count: Int,
                        _ b1: Float, _ b2: Float, _ eps: Float, _ l2: Float, _ shrink: Float,
                        _ stepSize: Float, _ inverseCorrection2: Float) {
    for i in 0..<count {
        let gi = g[i] + l2 * p[i]
        let mi = b1 * m[i] + (1 - b1) * gi
        let vi = b2 * v[i] + (1 - b2) * gi * gi
        m[i] = mi
        v[i] = vi
        p[i] = p[i] * shrink - stepSize * mi / (vi.squareRoot() * inverseCorrection2 + eps)
    }
}

/// AdamW (Loshchilov & Hutter, 2019): Adam with weight decay applied to the weights directly.
public final class AdamW: Optimizer {
    private let adam: Adam
    public var parameters: [Parameter] { adam.parameters }
    public var learningRate: Float {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }

    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        adam = Adam(parameters, learningRate, beta1, beta2, epsilon, weightDecay, decoupled: true)
    }

    public func step() { adam.step() }
    public var state: [(name: String, values: [Float])] { adam.state }
    public func loadState(_ saved: [String: [Float]]) throws { try adam.loadState(saved) }
}

/// RMSprop (Hinton, 2012) as PyTorch writes it: ε outside the square root; optional
/// centring and momentum.
public final class RMSprop: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let alpha: Float, epsilon: Float, momentum: Float, centered: Bool
    private var squareAverage: [[Float]], gradientAverage: [[Float]], buffer: [[Float]]

    public init(_ parameters: [Parameter], learningRate: Float = 1e-2, alpha: Float = 0.99, epsilon: Float = 1e-8,
                momentum: Float = 0, centered: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        squareAverage = zeroBuffers(like: parameters)
        gradientAverage = zeroBuffers(like: parameters)
        buffer = zeroBuffers(like: parameters)
    }

    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            grad.withUnsafeBufferPointer { g in
                squareAverage[index].withUnsafeMutableBufferPointer { v in
                    gradientAverage[index].withUnsafeMutableBufferPointer { ga in
                        buffer[index].withUnsafeMutableBufferPointer { b in
                            parameter.update { p in
                                for i in 0..<p.count {
                                    v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i]
                                    var meanSquare = v[i]
                                    if centered {
                                        ga[i] = alpha * ga[i] + (1 - alpha) * g[i]
                                        meanSquare -= ga[i] * ga[i]
                                    }
                                    let scaled = g[i] / (meanSquare.squareRoot() + epsilon)
                                    if momentum > 0 {
                                        b[i] = momentum * b[i] + scaled
                                        p[i] -= learningRate * b[i]
                                    } else {
                                        p[i] -= learningRate * scaled
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public var state: [(name: String, values: [Float])] {
        squareAverage.enumerated().map { ("\($0.offset).square_avg", $0.element) }
            + gradientAverage.enumerated().map { ("\($0.offset).grad_avg", $0.element) }
            + buffer.enumerated().map { ("\($0.offset).momentum_buffer", $0.element) }
    }

    public func loadState(_ saved: [String: [Float]]) throws {
        let buffers = try restoredBuffers(saved, current: state)
        let n = parameters.count
        guard buffers[0..<n].allSatisfy({ $0.allSatisfy { $0 >= 0 } }) else {
            throw CheckpointError.invalidValue(name: "optimizer square averages", value: "< 0", expected: "values ≥ 0 (they are squares)")
        }
        squareAverage = Array(buffers[0..<n])
        gradientAverage = Array(buffers[n..<(2 * n)])
        buffer = Array(buffers[(2 * n)...])
    }
}

/// Scales all gradients together so their global L2 norm is at most `maxNorm`; returns the
/// norm before clipping (PyTorch's `clip_grad_norm_`).
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters {
        p.grad?.withUnsafeBufferPointer { g in total += Double(sumOfSquares(g)) }
    }
    let norm = Float(total.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    guard scale < 1 else { return norm }
    for p in parameters {
        p.value.modifyGradient { g in for i in g.indices { g[i] *= scale } }
    }
    return norm
}

/// Σ x² in eight independent lanes (so it vectorises), folded at the end.
private func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Float {
    guard let start = x.baseAddress else { return 0 }
    var lanes = SIMD8<Float>()
    let base = UnsafeRawPointer(start)
    var i = 0
    while i + 8 <= x.count {
        let v = base.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        lanes = lanes.plusProduct(v, v)
        i += 8
    }
    var tail: Float = 0
    while i < x.count { tail += x[i] * x[i]; i += 1 }
    return lanes.sum() + tail
}
