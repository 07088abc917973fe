import Foundation
import Tensor

/// What the portable baseline build costs: the single-threaded benchmarks of another build of
/// athanor (the native one, compiled for this very CPU), run as a subprocess in each round of
/// `perf`, beside ours. sgemm is left out: the subprocess runs with one BLAS thread.
struct BuildComparison {
    static let keys: [(key: String, label: String, lowerIsFaster: Bool)] = [
        ("mlp-small-step-us", "MLP 4→64→64→2 train step, µs", true),
        ("mlp-large-step-us", "MLP 128→256→256→10 train step, µs", true),
        ("cartpole-steps-per-s", "CartPole-v1 steps/s", false),
        ("cartpole-vec8-steps-per-s", "8 CartPoles steps/s", false),
        ("cartpole-vec4096-steps-per-s", "4096 CartPoles (CartPoleBatch) steps/s", false),
        ("frozenlake-steps-per-s", "FrozenLake-v1 steps/s", false),
        ("ppo-train-s", "PPO CartPole-v1 1e5 steps, train s", true),
        ("dqn-train-s", "DQN CartPole-v1 5e4 steps, train s", true),
    ]

    /// The other build as its own perf describes it.
    let other: String
    let ours: [String: Double]
    let rounds: [[String: Double]]

    /// Runs `binary perf --json --no-write` once; returns its figures and its build.
    static func measure(_ binary: String, training: Bool, quick: Bool) throws -> ([String: Double], String) {
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw BenchmarkError("--compare-build \(binary): no such executable") }
        let arguments = ["perf", "--json", "--no-write"] + (training ? ["--training"] : []) + (quick ? ["--quick"] : [])
        let object = try runJSONCommand(binary, arguments: arguments, what: "\(binary) perf")
        let machine = object["machine"] as? [String: Any]
        var figures: [String: Double] = [:]
        for (key, value) in object { if let number = value as? NSNumber { figures[key] = number.doubleValue } }
        return (figures, machine?["build"] as? String ?? "another build")
    }

    func markdown(_ format: (Double?, Int) -> String) -> String {
        var text = "Baseline against \(other), this machine, the same rounds (median over rounds; "
        text += "above 1: the native build is that much faster):\n\n"
        text += "| benchmark | baseline (this build) | native | native speed-up |\n|---|---:|---:|---:|\n"
        for (key, label, lowerIsFaster) in Self.keys {
            guard let mine = ours[key] else { continue }
            let theirs = rounds.compactMap { $0[key] }
            guard !theirs.isEmpty else { continue }
            let median = theirs.sorted().median
            let speedup = lowerIsFaster ? mine / median : median / mine
            let digits = key.hasSuffix("-us") || key.hasSuffix("-s") ? 2 : 0
            text += "| \(label) | \(format(mine, digits)) | \(format(median, digits)) | \(format(speedup, 3)) |\n"
        }
        return text
    }
}
