import Foundation
import Testing
import Tensor

@Suite("Tensor values and semantics")
struct TensorTests {
    // Sizes cover every path: the Swift kernel (≥ 8 columns, m·n·k ≤ 2^18, with row and column
    // edges), the narrow kernels (fewer than 8 columns) and cblas_sgemm (large products).
    @Test(arguments: [(1, 1, 1), (3, 5, 4), (17, 9, 33), (64, 64, 64), (2, 130, 7), (5, 8, 3), (13, 24, 64),
                      (7, 33, 1), (300, 200, 100), (16, 3, 20), (64, 2, 64), (24, 1, 9)])
    func matmulMatchesNaiveReference(size: (Int, Int, Int)) {
        let (m, n, k) = size
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = randomTensor(ta ? [k, m] : [m, k], seed: 1), b = randomTensor(tb ? [n, k] : [k, n], seed: 2)
            let fast = Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
            let reference = naiveMatmul(a.scalars, b.scalars, m: m, n: n, k: k, transposeA: ta, transposeB: tb)
            #expect(fast.shape == [m, n])
            #expect(zip(fast.scalars, reference).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Float(k) })
        }
    }

    // The bias rides in the kernel's accumulators (full tiles, edges with partial lanes), or is
    // copied first for narrow outputs and for cblas_sgemm (the last size).
    @Test(arguments: [(6, 10, 5), (6, 10, 24), (6, 10, 40), (13, 10, 21), (7, 3, 8), (64, 100, 64)])
    func linearEqualsMatmulPlusBias(size: (rows: Int, inFeatures: Int, outFeatures: Int)) {
        let (rows, inFeatures, outFeatures) = size
        let x = randomTensor([rows, inFeatures], seed: 5), w = randomTensor([outFeatures, inFeatures], seed: 6)
        let b = randomTensor([outFeatures], seed: 7)
        let fused = Tensor.linear(x, weight: w, bias: b).scalars
        let reference = (Tensor.matmul(x, w, transposeB: true) + b).scalars
        #expect(zip(fused, reference).allSatisfy { Swift.abs($0 - $1) <= 1e-5 })
        let fusedTanh = Tensor.linear(x, weight: w, bias: b, activation: .tanh).scalars
        #expect(zip(fusedTanh, reference).allSatisfy { Swift.abs($0 - fastTanh($1)) <= 1e-5 })
    }

    /// A fused op is a faster way to compute its paper form: the same values and the same
    /// gradients as matmul + add + tanh (linear) and mean((ŷ − y)²) (the MSE loss).
    @Test(arguments: [Tensor.FusedActivation.identity, .tanh, .relu, .leakyReLU])
    func fusedLinearHasThePaperFormsGradients(activation: Tensor.FusedActivation) {
        let x = randomTensor([13, 10], seed: 1).requiringGrad(), w = randomTensor([21, 10], seed: 2).requiringGrad()
        let b = randomTensor([21], seed: 3).requiringGrad(), target = randomTensor([13, 21], seed: 4)
        func gradients(_ forward: () -> Tensor) -> [[Float]] {
            for t in [x, w, b] { t.zeroGrad() }
            let y = forward()
            ((y - target).square().mean()).backward()
            return [x, w, b].map { $0.grad?.scalars ?? [] }
        }
        let fused = gradients { Tensor.linear(x, weight: w, bias: b, activation: activation) }
        let paper = gradients {
            let z = Tensor.matmul(x, w, transposeB: true) + b
            return switch activation {
            case .identity: z; case .tanh: z.tanh(); case .relu: z.relu()
            case .leakyReLU: z.relu() - Tensor.leakyReLUSlope * (-z).relu()
            }
        }
        for (f, p) in zip(fused, paper) { #expect(zip(f, p).allSatisfy { Swift.abs($0 - $1) <= 1e-5 }, "\(activation)") }
    }

    @Test func batchedMatmulMatchesPerBatchProducts() {
        let a = randomTensor([3, 4, 5], seed: 3), b = randomTensor([3, 5, 2], seed: 4)
        let c = Tensor.matmul(a, b)
        for i in 0..<3 {
            let ai = a.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [4, 5])
            let bi = b.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [5, 2])
            #expect(c.slice(alongAxis: 0, i..<(i + 1)).reshaped(to: [4, 2]).scalars == Tensor.matmul(ai, bi).scalars)
        }
    }

    @Test func broadcastingFollowsNumPy() {
        let column = Tensor([1, 2, 3], shape: [3, 1]), row = Tensor([10, 20], shape: [2])
        let sum = column + row
        #expect(sum.shape == [3, 2])
        #expect(sum.scalars == [11, 21, 12, 22, 13, 23])
        #expect((Tensor.ones([2, 1, 3]) * Tensor([1, 2], shape: [2, 1])).shape == [2, 2, 3])
        #expect(Tensor.broadcastShape([5, 1, 4], [3, 1]) == [5, 3, 4])
    }

    @Test func reductionsAlongAxes() {
        let x = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let expectedSum: [Float] = (0..<12).map { Float($0 * 2 + 12) }
        #expect(x.sum(alongAxis: 0).scalars == expectedSum)
        #expect(x.sum(alongAxis: 1).shape == [2, 4])
        #expect(x.sum(alongAxis: 2, keepingDimensions: true).shape == [2, 3, 1])
        #expect(x.mean().item == 11.5)
        #expect(x.max(alongAxis: 1).scalars == [8, 9, 10, 11, 20, 21, 22, 23])
        #expect(x.argmax(alongAxis: 2) == [3, 3, 3, 3, 3, 3])
        #expect(Tensor([3, 1, 4, 1, 5, 9, 2, 6]).argmax() == 5)
        let v = Tensor([1, 2, 3, 4]).variance(alongAxis: 0)
        #expect(Swift.abs(v.item - 1.666_666_7) < 1e-6)
        let lse = Tensor([1000, 1000]).logSumExp(alongAxis: 0).item
        #expect(Swift.abs(lse - (1000 + Float(M_LN2))) < 1e-3)  // no overflow
    }

    @Test func copyOnWriteGivesValueSemantics() {
        let a = Tensor([1, 2, 3])
        var b = a
        #expect(a.sharesStorage(with: b))
        b[0] = 9
        #expect(a.scalars == [1, 2, 3] && b.scalars == [9, 2, 3])
        #expect(!a.sharesStorage(with: b))
        let r = a.reshaped(to: [3, 1])
        #expect(r.sharesStorage(with: a))  // reshape never copies
    }

    @Test func gradientsAccumulateUntilZeroed() {
        let w = Tensor([2, 3]).requiringGrad()
        (w * w).sum().backward()
        (w * w).sum().backward()
        #expect(w.grad?.scalars == [8, 12])
        w.zeroGrad()
        #expect(w.grad == nil)
        // A tensor used twice receives both contributions.
        (w * 3 + w).sum().backward()
        #expect(w.grad?.scalars == [4, 4])
    }

    @Test func noGradScopeAndDetachStopTheGraph() {
        let w = Tensor([1, 2]).requiringGrad()
        let inside = withoutGrad { w * 2 }
        #expect(!inside.requiresGrad)
        #expect(!(w.detached() * 2).requiresGrad)
        #expect((w * 2).requiresGrad)
        #expect(GradMode.isEnabled)
    }

    @Test func randomGeneratorIsSeededAndWellSpread() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var g = RandomGenerator(seed: 7)
        let normals = Tensor.normal([20_000], using: &g)
        #expect(Swift.abs(normals.mean().item) < 0.03)
        #expect(Swift.abs(normals.variance(alongAxis: 0).item - 1) < 0.05)
        let uniforms = Tensor.uniform([20_000], low: -2, high: 2, using: &g)
        #expect(uniforms.min().item >= -2 && uniforms.max().item < 2)
        #expect(Swift.abs(uniforms.mean().item) < 0.05)
    }

    @Test func categoricalSamplingMatchesProbabilities() {
        var g = RandomGenerator(seed: 1)
        let logits = Tensor([Float(log(0.2)), Float(log(0.5)), Float(log(0.3)), -.infinity], shape: [1, 4])
        var counts = [0, 0, 0, 0]
        for _ in 0..<20_000 { counts[logits.sampleCategorical(using: &g)[0]] += 1 }
        #expect(counts[3] == 0)
        for (count, p) in zip(counts, [0.2, 0.5, 0.3]) { #expect(Swift.abs(Double(count) / 20_000 - p) < 0.015) }
    }

    @Test func fastTanhIsAccurate() {
        var worst: Double = 0
        for i in -20_000...20_000 {
            let x = Float(i) * 0.0005
            worst = Swift.max(worst, Swift.abs(Double(fastTanh(x)) - Foundation.tanh(Double(x))))
        }
        // Where the input clamp (±9.5) and the output clamp (±1) take over.
        for i in 0...40_000 {
            let x = 6 + Float(i) * 0.0001
            worst = Swift.max(worst, Swift.abs(Double(fastTanh(-x)) - Foundation.tanh(Double(-x))))
        }
        #expect(worst < 5e-7)  // a few Float ULP (ULP of 1 is 6e-8)
        #expect(fastTanh(50) == 1 && fastTanh(-50) == -1)
        #expect(fastTanh(.nan).isNaN)  // so training notices a diverged network
    }

    @Test func creationAndIndexingHelpers() {
        #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.oneHot([2, 0], classes: 3).scalars == [0, 0, 1, 1, 0, 0])
        #expect((Tensor([1, 5, 3]) .> 2).scalars == [0, 1, 1])
        #expect(Tensor.select(where: Tensor([1, 0]), Tensor([1, 2]), Tensor([7, 8])).scalars == [1, 8])
        let x = Tensor((0..<6).map(Float.init), shape: [2, 3])
        #expect(x.transposed().scalars == [0, 3, 1, 4, 2, 5])
        #expect(x.reshaped(to: [-1]).shape == [6])
        #expect(x.gather(alongLastAxis: [2, 0]).scalars == [2, 3])
        #expect(x.indexSelect([1, 1]).scalars == [3, 4, 5, 3, 4, 5])
        #expect(Tensor.concatenate([x, x], alongAxis: 1).shape == [2, 6])
        #expect(Tensor.stack([x, x]).shape == [2, 2, 3])
        #expect(x.slice(alongAxis: 1, 1..<3).scalars == [1, 2, 4, 5])
        #expect(Tensor([0.5, 0.5]).softmax().scalars == [0.5, 0.5])
    }

    /// A product's bits depend on how many threads OpenBLAS splits it across, and the count is one
    /// setting for the whole process: the library keeps it at one unless asked, so the numbers of an agent
    /// stepped on one thread cannot change because `learn` runs on another (a REINFORCE resume test did).
    @Test func openBLASRunsOnOneThreadUnlessAsked() {
        let product = Tensor.matmul(randomTensor([300, 200], seed: 1), randomTensor([200, 100], seed: 2))
        #expect(product.shape == [300, 100])
        if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil { #expect(BLAS.threadCount == 1) }
    }
}
