import Environments
import Foundation
import RL
import Tensor

// Environment step throughput with random actions and auto-reset, defined as
// ../shared/anchors/env_throughput.py defines Gymnasium's so the two compare side by side.

enum EnvironmentBenchmarks {
    struct Figures {
        var cartPole = 0.0, cartPoleVector8 = 0.0, cartPoleVector4096 = 0.0, frozenLake = 0.0
    }

    /// Steps per second of `body(steps)` run in chunks until `seconds` have passed.
    static func rate(seconds: Double, chunk: Int, _ body: (Int) -> Void) -> Double {
        body(chunk)  // warm-up
        var steps = 0
        let start = nanoseconds()
        var elapsed = 0.0
        repeat {
            body(chunk)
            steps += chunk
            elapsed = Double(nanoseconds() - start) / 1e9
        } while elapsed < seconds
        return Double(steps) / elapsed
    }

    /// One environment, the typed API, one random action per step, reset when an episode ends.
    static func single<E: Environment>(_ environment: E, seconds: Double) -> Double where E.Action == Int {
        var environment = environment
        _ = environment.reset(seed: 0)
        let arms = environment.actionSpace.discreteCount!
        var generator = RandomGenerator(seed: 0)
        return rate(seconds: seconds, chunk: 10_000) { steps in
            for _ in 0..<steps {
                if environment.step(generator.nextInt(below: arms)).isLast { _ = environment.reset(seed: nil) }
            }
        }
    }

    /// `copies` CartPoles in a vector environment; counts environment steps (copies per call).
    /// Like the anchor's vector loops, actions are drawn beforehand (64 rows, reused in turn).
    static func vector(copies: Int, threads: Int, seconds: Double) -> Double {
        var vector = VectorEnvironment(copies: copies, threads: threads) { _ in TimeLimit(CartPole(), maxEpisodeSteps: 500) }
        vector.reset(seed: 0)
        return batchedRate(copies: copies, seconds: seconds, { $0 }) { vector.step($0) }
    }

    /// `copies` carts in a `CartPoleBatch` (struct of arrays, as Gymnasium's numpy
    /// CartPoleVectorEnv), one thread; actions drawn beforehand as above.
    static func batch(copies: Int, seconds: Double) -> Double {
        var batch = CartPoleBatch(copies: copies)
        batch.reset(seed: 0)
        return batchedRate(copies: copies, seconds: seconds, { Float($0) }) { batch.step(flatActions: $0) }
    }

    /// Steps per second of `step` on 64 pre-drawn rows of random CartPole actions used in turn,
    /// counting `copies` environment steps per call.
    static func batchedRate<Action>(copies: Int, seconds: Double, _ action: (Int) -> Action,
                                    _ step: ([Action]) -> Void) -> Double {
        var generator = RandomGenerator(seed: 0)
        let rows = (0..<64).map { _ in (0..<copies).map { _ in action(generator.nextInt(below: 2)) } }
        let calls = Swift.max(1, 40_000 / copies)
        var row = 0
        return rate(seconds: seconds, chunk: calls * copies) { _ in
            for _ in 0..<calls {
                step(rows[row])
                row = (row + 1) % rows.count
            }
        }
    }

    /// Eight copies run on one thread (as SyncVectorEnv does); 4096 in one `CartPoleBatch` on one
    /// thread (as Gymnasium's numpy CartPoleVectorEnv).
    static func measure(seconds: Double) -> Figures {
        Figures(cartPole: single(TimeLimit(CartPole(), maxEpisodeSteps: 500), seconds: seconds),
                cartPoleVector8: vector(copies: 8, threads: 1, seconds: seconds),
                cartPoleVector4096: batch(copies: 4096, seconds: seconds),
                frozenLake: single(TimeLimit(FrozenLake(), maxEpisodeSteps: 100), seconds: seconds))
    }
}

/// Gymnasium's side: env_throughput.py's own functions, imported and run for the four figures.
struct GymnasiumAnchor {
    let folder: String
    let interpreter: String

    func measure(seconds: Double) throws -> EnvironmentBenchmarks.Figures {
        let script = """
            import json, sys
            sys.argv = ["env_throughput.py", "\(seconds)", "1"]
            sys.path.insert(0, \(String(reflecting: folder)))
            import env_throughput as e
            print(json.dumps({
                "cartpole": e.run_single("CartPole-v1", "prealloc")[0],
                "vec8": e.run_vector("CartPole-v1", 8, "prealloc")[0],
                "vec4096": e.run_numpy_vector(4096)[0],
                "frozenlake": e.run_single("FrozenLake-v1", "prealloc")[0]}))
            """
        let object = try runPython(interpreter, script, what: "the Gymnasium anchor")
        func number(_ key: String) throws -> Double {
            guard let value = (object[key] as? NSNumber)?.doubleValue else { throw BenchmarkError("the Gymnasium anchor gave no \(key) figure") }
            return value
        }
        return .init(cartPole: try number("cartpole"), cartPoleVector8: try number("vec8"),
                     cartPoleVector4096: try number("vec4096"), frozenLake: try number("frozenlake"))
    }
}
