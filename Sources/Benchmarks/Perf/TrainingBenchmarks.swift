import Agents
import Foundation
import RL
import Training

/// Train wall time against Stable-Baselines3: `sb3_train.py` (zoo hyper-parameters, PyTorch on
/// one thread, the time of `learn()` only) beside ours with identical hyper-parameters
/// (`--preset zoo`, the training loop only), in alternating rounds.
struct TrainingBenchmarks {
    struct Figures {
        var seconds: Double, evalMean: Double, steps: Int
    }

    /// Our PPO or DQN on CartPole-v1 with the zoo's settings, seed 0, without a run directory.
    static func ours(_ agent: String) throws -> Figures {
        let hyperparameters = try DeepAgents.configuration(agent: agent, environmentID: "CartPole-v1", recipe: .init(preset: "zoo"))
        let environment = EnvironmentReference("CartPole-v1")
        let learner = try DeepAgents.make(agent: agent, configuration: hyperparameters, environment: environment.make(), seed: 0)
        let summary = try learner.learn()
        let evaluation = try evaluatePolicy(on: environment.make(), episodes: 20, seed: 10_000) { learner.act($0, deterministic: true) }
        return Figures(seconds: summary.wallSeconds, evalMean: evaluation.mean, steps: summary.steps)
    }

    /// `python sb3_train.py AGENT SEED` in a scratch folder (it writes a JSON file into its cwd).
    static func stableBaselines(_ agent: String, seed: UInt64 = 0, anchors: String, interpreter: String) throws -> (Figures, String) {
        let script = URL(fileURLWithPath: anchors).appendingPathComponent("sb3_train.py").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: script) else { throw BenchmarkError("no sb3_train.py in \(anchors)") }
        return try stableBaselines(script: script, arguments: [agent, "\(seed)"], interpreter: interpreter)
    }

    /// `python SCRIPT ARGUMENTS…` in a scratch folder: a peer script printing learn_s, eval_mean, num_timesteps, versions.
    static func stableBaselines(script: String, arguments: [String], interpreter: String) throws -> (Figures, String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-sb3-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let name = URL(fileURLWithPath: script).lastPathComponent + " " + arguments.joined(separator: " ")
        let object = try runJSONCommand(interpreter, arguments: [script] + arguments, in: scratch, what: name)
        guard let seconds = object["learn_s"] as? Double, let evalMean = object["eval_mean"] as? Double,
              let steps = object["num_timesteps"] as? Int else {
            throw BenchmarkError("\(name) printed no learn_s, eval_mean or num_timesteps")
        }
        let versions = (object["versions"] as? [String: String]).map { "stable-baselines3 \($0["sb3"] ?? "?"), torch \($0["torch"] ?? "?")" } ?? ""
        return (Figures(seconds: seconds, evalMean: evalMean, steps: steps), versions)
    }
}
