import CAllocationCounter
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
    static func mlpStep(sizes: [Int], batch: Int, warmup: Int, steps: Int) -> StepResult {
        withTensorPool { mlpStepInPool(sizes: sizes, batch: batch, warmup: warmup, steps: steps) }
    }

    private static func mlpStepInPool(sizes: [Int], batch: Int, warmup: Int, steps: Int) -> StepResult {
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
        let before = athanor_allocation_count()
        for _ in 0..<counted { step() }
        let allocations = athanor_allocation_count() - before
        let counterWorks = before > 0  // zero means nothing is interposed on this platform
        return StepResult(medianMicroseconds: samples.median,
                          allocationsPerStep: counterWorks ? Double(allocations) / Double(counted) : nil)
    }
}
