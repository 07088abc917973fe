import Benchmarks
import Environments
import Foundation
import RL
import Tensor
import TestSupport
import Testing

@Suite("CartPoleBatch steps like N CartPole-v1 copies")
struct CartPoleBatchTests {
    @Test func matchesTheVectorOfSingleCartPoles() {
        let copies = 16
        // A 30-step limit so random play meets both ends of an episode; random actions keep episodes
        // short, since an inverted pendulum driven open-loop amplifies last-bit differences in sin
        // and cos exponentially (≈ e^4.5 per simulated second).
        var batch = CartPoleBatch(copies: copies, maxEpisodeSteps: 30)
        var vector = VectorEnvironment(copies: copies) { _ in TimeLimit(CartPole(), maxEpisodeSteps: 30) }
        batch.reset(seed: 42)
        vector.reset(seed: 42)
        #expect(batch.observations == vector.observations)
        var generator = RandomGenerator(seed: 7)
        var finished = 0, truncations = 0
        for _ in 0..<3000 {
            let actions = (0..<copies).map { _ in generator.nextUniform() < 0.5 ? 1 : 0 }
            batch.step(flatActions: actions.map(Float.init))
            vector.step(actions)
            #expect(batch.terminated == vector.terminated && batch.truncated == vector.truncated)
            #expect(zip(batch.observations, vector.observations).allSatisfy { Swift.abs($0 - $1) <= 1e-6 })
            #expect(batch.rewards == vector.rewards)
            #expect(batch.finishedEpisodes.map(\.record) == vector.finishedEpisodes.map(\.record))
            finished += batch.finishedEpisodes.count
            truncations += batch.truncated.filter { $0 }.count
        }
        #expect(finished > 100)
        #expect(truncations > 0)
    }

    @Test func largeAnglesSetByHandUseLibm() throws {
        // θ = 1 rad is outside the polynomials' range; the step must still equal CartPole's.
        var single = CartPole()
        _ = single.reset(seed: 0)
        try single.setState([0.1, 0.2, 1.0, -0.5])
        var batch = CartPoleBatch(copies: 1)
        try batch.restore(from: Data(#"{"count":1,"maxEpisodeSteps":500,"x":[0.1],"xDot":[0.2],"theta":[1.0],"thetaDot":[-0.5],"elapsed":[0],"generators":[{"s0":1,"s1":2,"s2":3,"s3":4}],"observations":[0.1,0.2,1,-0.5],"episodeReturns":[0]}"#.utf8))
        let t = single.step(1)
        batch.step(flatActions: [1])
        #expect(batch.finalObservations == t.observation.flatValues && batch.terminated == [true])
    }

    @Test func snapshotsRestoreExactly() throws {
        var a = CartPoleBatch(copies: 8)
        a.reset(seed: 3)
        for k in 0..<50 { a.step(flatActions: (0..<8).map { Float(($0 + k) % 2) }) }
        var b = CartPoleBatch(copies: 8)
        try b.restore(from: a.snapshot())
        for k in 0..<200 {
            let actions = (0..<8).map { Float(($0 * k) % 2) }
            a.step(flatActions: actions)
            b.step(flatActions: actions)
            #expect(a.observations == b.observations)
        }
        expectError("environment state in the checkpoint is malformed") { try b.restore(from: Data("[]".utf8)) }
    }
}
