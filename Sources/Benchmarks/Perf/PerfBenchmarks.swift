import COpenBLAS
import Foundation
import NN

// The micro-benchmarks of `athanor perf`, defined exactly as ../shared/anchors/torch_micro.py
// defines its PyTorch counterparts so the two can be compared side by side.

enum PerfBenchmarks {
    /// sgemm 512×512×512 through `Tensor.matmul` (allocating its result, as users call it)
    /// and through a raw `cblas_sgemm` into a preallocated buffer, in alternating rounds so
    /// that a machine whose speed drifts affects both alike. GFLOP/s at the median call.
    static func sgemm(size n: Int = 512, calls: Int) -> (ours: Double, raw: Double) {
        var generator = RandomGenerator(seed: 0)
        let a = Tensor.normal([n, n], using: &generator), b = Tensor.normal([n, n], using: &generator)
        let flops = 2 * Double(n * n * n)
        var c = [Float](repeating: 0, count: n * n)
        var ours: [Double] = [], raw: [Double] = []
        let rounds = 10
        for _ in 0..<rounds {
            ours += timeEach(warmup: 2, count: calls / rounds) { _ = Tensor.matmul(a, b) }
            raw += a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        timeEach(warmup: 2, count: calls / rounds) {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                                        pa.baseAddress, Int32(n), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
                        }
                    }
                }
            }
        }
        return (flops / (ours.sorted().median * 1000), flops / (raw.sorted().median * 1000))
    }

    struct StepResult {
        let medianMicroseconds: Double
        let allocationsPerStep: Double?
    }

    /// One training step of an MLP (tanh hidden layers, linear output): zero-grad, forward,
    /// MSE against a fixed random target, backward, Adam (lr 1e-3) step, on a fixed batch —
    /// inside a `TensorPool` scope, as a training loop runs it (buffers and graph nodes are
    /// recycled from step to step).
    static func mlpStep(sizes: [Int], batch: Int, warmup: Int, steps: Int, allocations: (() -> UInt64)?) -> StepResult {
        withTensorPool { mlpStepInPool(sizes: sizes, batch: batch, warmup: warmup, steps: steps, allocations: allocations) }
    }

    private static func mlpStepInPool(sizes: [Int], batch: Int, warmup: Int, steps: Int, allocations count: (() -> UInt64)?) -> StepResult {
        var generator = RandomGenerator(seed: 0)
        let model = Sequential.mlp(sizes, activation: .tanh, using: &generator)
        let optimizer = Adam(model.parameters, learningRate: 1e-3)
        let x = Tensor.normal([batch, sizes[0]], using: &generator)
        let y = Tensor.normal([batch, sizes[sizes.count - 1]], using: &generator)
        let step = {
            optimizer.zeroGrad()
            Loss.meanSquaredError(model(x), y).backward()
            optimizer.step()
        }
        let samples = timeEach(warmup: warmup, count: steps, step)
        // Allocations: counted over further steps after the warm-up above.
        let counted = 200
        guard let count, count() > 0 else {  // zero: nothing is interposed on this platform
            return StepResult(medianMicroseconds: samples.median, allocationsPerStep: nil)
        }
        let before = count()
        for _ in 0..<counted { step() }
        return StepResult(medianMicroseconds: samples.median, allocationsPerStep: Double(count() - before) / Double(counted))
    }

    /// The same small-MLP step written with the paper-form ops the fused ones replace —
    /// y = tanh(x·Wᵀ + b) as matmul, add, tanh, and MSE as mean((ŷ − y)²) — so the table shows
    /// what fusing `linear` and `meanSquaredError` buys. Median µs.
    static func unfusedMLPStep(sizes: [Int], batch: Int, warmup: Int, steps: Int) -> Double {
        withTensorPool {
            var generator = RandomGenerator(seed: 0)
            let layers = zip(sizes, sizes.dropFirst()).map { Linear($0, $1, using: &generator) }
            let optimizer = Adam(layers.flatMap(\.parameters), learningRate: 1e-3)
            let x = Tensor.normal([batch, sizes[0]], using: &generator)
            let y = Tensor.normal([batch, sizes[sizes.count - 1]], using: &generator)
            let step = {
                optimizer.zeroGrad()
                var h = x
                for (i, layer) in layers.enumerated() {
                    h = Tensor.matmul(h, layer.weight.value, transposeB: true) + layer.bias!.value
                    if i < layers.count - 1 { h = h.tanh() }
                }
                (h - y).square().mean().backward()
                optimizer.step()
            }
            return timeEach(warmup: warmup, count: steps, step).median
        }
    }

    /// PPO's clipped surrogate on one minibatch, value and gradient: the fused op against its
    /// paper form, −mean(min(r·Â, clip(r, 1 − ε, 1 + ε)·Â)) with r = exp(log π − log π_old),
    /// as CleanRL writes it. Median µs of each.
    static func clippedSurrogate(batch: Int, warmup: Int, steps: Int) -> (fused: Double, paperForm: Double) {
        withTensorPool {
            var generator = RandomGenerator(seed: 0)
            let oldLogp = Tensor.normal([batch], using: &generator) * 0.3 - 0.7
            let logp = (oldLogp + Tensor.normal([batch], using: &generator) * 0.2).requiringGrad()
            let advantages = Tensor.normal([batch], using: &generator)
            let clip: Float = 0.2
            let fused = timeEach(warmup: warmup, count: steps) {
                logp.zeroGrad()
                Loss.clippedSurrogate(logp, oldLogp: oldLogp, advantages: advantages, clip: clip).backward()
            }.median
            let paperForm = timeEach(warmup: warmup, count: steps) {
                logp.zeroGrad()
                let ratio = (logp - oldLogp).exp()
                (-Tensor.minimum(ratio * advantages, ratio.clamped(min: 1 - clip, max: 1 + clip) * advantages).mean()).backward()
            }.median
            return (fused, paperForm)
        }
    }
}
