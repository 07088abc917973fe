import CAllocationCounter
import COpenBLAS
import Foundation
import NN

// The micro-benchmarks of `athanor perf`, defined exactly as ../shared/anchors/torch_micro.py
// defines its PyTorch counterparts so the two can be compared side by side.

enum PerfBenchmarks {
    /// sgemm 512×512×512 through `Tensor.matmul` (allocating its result, as users call it)
    /// and through a raw `cblas_sgemm` into a preallocated buffer. GFLOP/s at the median.
    static func sgemm(size n: Int = 512, calls: Int) -> (ours: Double, raw: Double) {
        var generator = RandomGenerator(seed: 0)
        let a = Tensor.normal([n, n], using: &generator), b = Tensor.normal([n, n], using: &generator)
        let flops = 2 * Double(n * n * n)
        let ours = timeEach(warmup: 20, count: calls) { _ = Tensor.matmul(a, b) }.median
        var c = [Float](repeating: 0, count: n * n)
        let raw = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    timeEach(warmup: 20, count: calls) {
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1,
                                    pa.baseAddress, Int32(n), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
                    }.median
                }
            }
        }
        return (flops / (ours * 1000), flops / (raw * 1000))
    }

    struct StepResult {
        let medianMicroseconds: Double
        let allocationsPerStep: Double?
    }

    /// One training step of an MLP (tanh hidden layers, linear output): zero-grad, forward,
    /// MSE against a fixed random target, backward, Adam (lr 1e-3) step, on a fixed batch.
    static func mlpStep(sizes: [Int], batch: Int, warmup: Int, steps: Int) -> StepResult {
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
