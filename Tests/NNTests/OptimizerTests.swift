import Foundation
import Testing
import NN

// Optimisers against torch.optim trajectories (scripts/make_nn_fixtures.py).

struct OptimizerFixture: Decodable {
    struct Trajectory: Decodable { let steps: [[Float]] }
    struct Clip: Decodable { let grad: [Float]; let max_norm: Float; let norm: Float; let clipped: [Float] }
    let p0: [Float], c: [Float], d: [Float]
    let trajectories: [String: Trajectory]
    let clip: Clip
}

@Suite("Optimisers match torch.optim")
struct OptimizerTests {
    /// The same hyper-parameters as the fixture script's `configs`.
    static func optimizer(_ name: String, _ p: [Parameter]) -> (any Optimizer)? {
        switch name {
        case "sgd": SGD(p, learningRate: 0.1)
        case "sgd_momentum": SGD(p, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01)
        case "sgd_nesterov": SGD(p, learningRate: 0.05, momentum: 0.9, nesterov: true)
        case "adam": Adam(p, learningRate: 0.1, weightDecay: 0.01)
        case "adamw": AdamW(p, learningRate: 0.1, weightDecay: 0.1)
        case "rmsprop": RMSprop(p, learningRate: 0.01, alpha: 0.9)
        case "rmsprop_centered_momentum": RMSprop(p, learningRate: 0.01, alpha: 0.9, momentum: 0.5, centered: true)
        default: nil
        }
    }

    @Test(arguments: ["sgd", "sgd_momentum", "sgd_nesterov", "adam", "adamw", "rmsprop", "rmsprop_centered_momentum"])
    func trajectoryMatchesPyTorch(name: String) throws {
        let fixture = try loadJSON(OptimizerFixture.self, "torch_optimizers.json")
        let expected = try #require(fixture.trajectories[name]).steps
        let p = Parameter(Tensor(fixture.p0))
        let optimizer = try #require(Self.optimizer(name, [p]))
        let (c, d) = (Tensor(fixture.c), Tensor(fixture.d))
        for (step, values) in expected.enumerated() {
            optimizer.zeroGrad()
            ((c * p.value * p.value).sum() + (d * p.value).sum()).backward()
            optimizer.step()
            expectClose(p.value.scalars, values, tolerance: 2e-6, "\(name) step \(step + 1)")
        }
    }

    @Test func gradientClippingMatchesPyTorch() throws {
        let clip = try loadJSON(OptimizerFixture.self, "torch_optimizers.json").clip
        let p = Parameter(Tensor(clip.grad))
        (p.value * Tensor(clip.grad)).sum().backward()  // ∂/∂p = grad
        let norm = clipGradientNorm([p], maxNorm: clip.max_norm)
        #expect(Swift.abs(norm - clip.norm) < 1e-4)
        expectClose(try #require(p.grad).scalars, clip.clipped, "clipped gradient")
        // Below the limit nothing changes.
        #expect(clipGradientNorm([p], maxNorm: 100) < 1.0001)
        expectClose(try #require(p.grad).scalars, clip.clipped, "unclipped gradient")
    }

    @Test func schedulesFollowTheirDefinitions() {
        #expect(Schedule.constant(0.3).value(at: 1000) == 0.3)
        let linear = Schedule.linear(from: 1e-3, to: 0, steps: 100)
        #expect(linear.value(at: 0) == 1e-3 && Swift.abs(linear.value(at: 50) - 5e-4) < 1e-9 && linear.value(at: 200) == 0)
        let cosine = Schedule.cosine(from: 1, to: 0.1, steps: 10)
        #expect(cosine.value(at: 0) == 1 && Swift.abs(cosine.value(at: 5) - 0.55) < 1e-6 && Swift.abs(cosine.value(at: 10) - 0.1) < 1e-6)
        let warm = Schedule.warmup(steps: 4, then: cosine)
        #expect(warm.value(at: 0) == 0.25 && warm.value(at: 3) == 1 && warm.value(at: 4) == 1)
    }
}
