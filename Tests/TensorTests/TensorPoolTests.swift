import Testing
import Tensor

@Suite("Tensor pool: recycled buffers and graph nodes")
struct TensorPoolTests {
    /// One step of a small regression: linear → tanh → linear, squared error, plain SGD by hand.
    private func step(_ w1: inout Tensor, _ w2: inout Tensor, x: Tensor, y: Tensor) -> Float {
        let hidden = Tensor.linear(x, weight: w1, bias: nil, activation: .tanh)
        let error = Tensor.linear(hidden, weight: w2, bias: nil) - y
        let loss = (error * error).mean()
        loss.backward()
        let (g1, g2) = (w1.grad!, w2.grad!)
        w1 = (w1.detached() - g1 * 0.1).requiringGrad()
        w2 = (w2.detached() - g2 * 0.1).requiringGrad()
        return loss.item
    }

    @Test func trainingInAPoolGivesTheSameNumbersAndStopsGrowing() {
        let x = randomTensor([16, 5], seed: 1), y = randomTensor([16, 3], seed: 2)
        var (a1, a2) = (randomTensor([8, 5], seed: 3).requiringGrad(), randomTensor([3, 8], seed: 4).requiringGrad())
        var (b1, b2) = (a1.detached().requiringGrad(), a2.detached().requiringGrad())
        let heapLosses = (0..<20).map { _ in step(&a1, &a2, x: x, y: y) }
        let pool = TensorPool()
        var sizes: [Int] = []
        let pooledLosses = withTensorPool(pool) {
            (0..<20).map { _ in
                defer { sizes.append(pool.statistics.buffers) }
                return step(&b1, &b2, x: x, y: y)
            }
        }
        #expect(pooledLosses == heapLosses)
        #expect(b1.scalars == a1.scalars && b2.scalars == a2.scalars)
        // After the first steps the pool hands out the same buffers again instead of growing.
        #expect(sizes[19] == sizes[5])
        #expect(pool.statistics.nodes > 0)
    }

    @Test func aBufferStillInUseIsNeverHandedOutAgain() {
        withTensorPool {
            let kept = Tensor.full(7, shape: [64])
            for _ in 0..<50 {
                let scratch = Tensor.full(-1, shape: [64]) * 3  // same size, dropped at once
                #expect(!scratch.sharesStorage(with: kept))
            }
            #expect(kept.scalars.allSatisfy { $0 == 7 })
        }
    }

    @Test func writingToAPooledTensorCopiesItFirst() {
        withTensorPool {
            let original = Tensor.full(1, shape: [4])
            var copy = original
            copy[2] = 5  // the pool also holds the buffer: copy-on-write must not write through
            #expect(original.scalars == [1, 1, 1, 1])
            #expect(copy.scalars == [1, 1, 5, 1])
        }
    }

    @Test func outsideAScopeThereIsNoPool() {
        #expect(TensorPool.current == nil)
        let pool = TensorPool()
        withTensorPool(pool) {
            #expect(TensorPool.current === pool)
            withTensorPool { #expect(TensorPool.current !== pool) }  // nested scopes restore
            #expect(TensorPool.current === pool)
        }
        #expect(TensorPool.current == nil)
    }
}
