import Testing
import Tensor

@Suite("Helper thread: independent pieces of one backward, same numbers on one thread or two")
struct HelperThreadTests {
    /// An actor-critic-shaped loss: two networks that share nothing below a few scalars (so the
    /// graph falls into two pieces), weighted by a scalar parameter that only the top uses.
    private func gradients(helper: HelperThread?, pooled: Bool) -> [[Float]] {
        let x = randomTensor([32, 6], seed: 1), target = randomTensor([32, 1], seed: 2)
        let actor = [randomTensor([16, 6], seed: 3).requiringGrad(), randomTensor([4, 16], seed: 4).requiringGrad()]
        let critic = [randomTensor([16, 6], seed: 5).requiringGrad(), randomTensor([1, 16], seed: 6).requiringGrad()]
        let logScale = Tensor([0.3]).requiringGrad()
        func step() {
            let (logits, value) = evaluateTogether({
                Tensor.linear(Tensor.linear(x, weight: actor[0], bias: nil, activation: .tanh), weight: actor[1], bias: nil)
            }, {
                Tensor.linear(Tensor.linear(x, weight: critic[0], bias: nil, activation: .tanh), weight: critic[1], bias: nil)
            })
            let policyLoss = logits.logSoftmax(alongAxis: 1).mean() * logScale.exp()
            let valueLoss = (value - target).square().mean() * logScale
            (policyLoss + 0.5 * valueLoss - 0.01 * logScale.sum()).backward()
        }
        func run() {
            if pooled { withTensorPool { step() } } else { step() }
        }
        if let helper { withHelperThread(helper) { run() } } else { run() }
        return (actor + critic + [logScale]).map { $0.grad?.scalars ?? [] }
    }

    @Test func gradientsAreBitForBitTheSameWithAndWithoutAHelper() {
        let alone = gradients(helper: nil, pooled: false)
        #expect(alone.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isFinite) })
        let helper = HelperThread()
        for pooled in [false, true] {
            #expect(gradients(helper: helper, pooled: pooled) == alone, "pooled: \(pooled)")
            #expect(gradients(helper: nil, pooled: pooled) == alone, "pooled: \(pooled)")
        }
    }

    @Test func gradientsMatchFiniteDifferencesThroughBothPieces() {
        // The same two-piece loss on one parameter per piece, checked against finite differences
        // with a helper bound, so the side-by-side sweep is checked against something outside it.
        let x = randomTensor([8, 3], seed: 7)
        let helper = HelperThread()
        let check = withHelperThread(helper) {
            checkGradient([randomTensor([4, 3], seed: 8), randomTensor([2, 3], seed: 9)]) { p in
                let (a, b) = evaluateTogether({ Tensor.linear(x, weight: p[0], bias: nil, activation: .tanh) },
                                              { Tensor.linear(x, weight: p[1], bias: nil) })
                return a.square().mean() + b.exp().mean()
            }
        }
        #expect(check.passed, "\(check.detail)")
    }

    @Test func workNestedInOneSideRunsInLineWithTheSameNumbers() {
        // Twin critics inside one side of an outer evaluateTogether: the helper is busy, so the
        // inner pair runs on the caller; values and gradients equal the all-in-line run.
        let x = randomTensor([16, 5], seed: 10)
        let weights = (11...14).map { randomTensor([8, 5], seed: UInt64($0)).requiringGrad() }
        func run() -> [[Float]] {
            let ((a, b), c) = evaluateTogether({
                evaluateTogether({ Tensor.linear(x, weight: weights[0], bias: nil, activation: .tanh) },
                                 { Tensor.linear(x, weight: weights[1], bias: nil, activation: .tanh) })
            }, { Tensor.linear(x, weight: weights[2], bias: nil) })
            let d = evaluateTogether({ Tensor.linear(x, weight: weights[3], bias: nil) }, { x.sum() }).0
            (a.square().mean() + b.mean() + c.exp().mean() + d.square().sum()).backward()
            defer { weights.forEach { $0.zeroGrad() } }
            return weights.map { $0.grad?.scalars ?? [] }
        }
        let alone = run()
        #expect(alone.allSatisfy { !$0.isEmpty })
        #expect(withHelperThread(HelperThread()) { run() } == alone)
    }

    @Test func aLargeProductSplitAcrossTheHelperIsTheProduct() {
        // 96 × 160 × 200 multiply-adds: above the split's limit, so two halves of rows; op(A) plain and transposed.
        let a = randomTensor([96, 200], seed: 20), aT = randomTensor([200, 96], seed: 21), b = randomTensor([200, 160], seed: 22)
        for (left, transposed) in [(a, false), (aT, true)] {
            let alone = Tensor.matmul(left, b, transposeA: transposed).scalars
            let together = withHelperThread(HelperThread()) { Tensor.matmul(left, b, transposeA: transposed).scalars }
            #expect(together == alone, "transposeA: \(transposed)")
            let naive = naiveMatmul(left.scalars, b.scalars, m: 96, n: 160, k: 200, transposeA: transposed)
            #expect(zip(alone, naive).allSatisfy { abs($0 - $1) <= 1e-4 * Swift.max(1, abs($1)) }, "transposeA: \(transposed)")
        }
    }
}
