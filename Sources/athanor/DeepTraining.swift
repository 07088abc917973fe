import Agents
import Environments
import Foundation
import NN
import RL
import Tensor

/// What a run directory's `config.json` holds: enough to rebuild the agent and continue.
struct RunConfiguration: Codable {
    var agent: String
    var env: String
    var envOptions: [String: String]
    var seed: UInt64
    var totalSteps: Int
    var checkpointEvery: Int
    /// The resolved hyper-parameters (snake-case JSON).
    var hyperparameters: String
    /// Evaluate the deterministic policy every this many steps and keep the best (nil or 0: never).
    var evalFreq: Int?
    /// Episodes per evaluation, periodic and final (nil: 20).
    var evalEpisodes: Int?

    var evaluationEpisodes: Int { evalEpisodes ?? 20 }
    /// The environment of the final evaluation is seeded 10 000 + seed, as the SB3 anchor's;
    /// the periodic ones 20 000 + seed, so that the best model is scored on episodes it was not picked on.
    var finalEvaluationSeed: UInt64 { seed &+ 10_000 }
    var periodicEvaluationSeed: UInt64 { seed &+ 20_000 }

    func makeEnvironment() throws -> any DynamicEnvironment { try environments.make(env, options: envOptions) }

    func makeAgent() throws -> any DeepAgent {
        try DeepAgents.make(agent: agent, configuration: hyperparameters, environment: makeEnvironment(),
                            seed: seed, totalSteps: totalSteps)
    }
}

/// A trained run read back: its configuration and its agent restored from the final
/// checkpoint, or with `best` from the best periodic evaluation's (`train --eval-freq`).
func loadRun(_ path: String, best: Bool) throws -> (configuration: RunConfiguration, agent: any DeepAgent) {
    let directory = URL(fileURLWithPath: path)
    let configURL = directory.appendingPathComponent("config.json")
    guard let data = try? Data(contentsOf: configURL) else { throw UserError("\(path) is not a run directory (no config.json)") }
    guard let configuration = try? JSONDecoder().decode(RunConfiguration.self, from: data) else {
        throw UserError("\(configURL.path) is malformed")
    }
    let file = directory.appendingPathComponent(best ? "best.safetensors" : "checkpoint.safetensors")
    guard FileManager.default.fileExists(atPath: file.path) else {
        throw UserError(best ? "\(path) has no best.safetensors (train with --eval-freq N to keep one)"
                             : "\(path) has no checkpoint.safetensors")
    }
    let agent = try configuration.makeAgent()
    try agent.restore(from: SafeTensors.read(from: file))
    return (configuration, agent)
}

/// One point of a learning curve: steps done and the mean return of the last 100 episodes.
struct CurvePoint: Codable {
    var steps: Int
    var meanReturn: Double
}

struct TrainingSummary {
    var steps: Int
    var wallSeconds: Double
    var curve: [CurvePoint]
    /// The final policy's evaluation.
    var evaluation: EvaluationResult
    /// With periodic evaluation: the best model, scored like the final one, and when it was reached.
    var best: (evaluation: EvaluationResult, steps: Int)?
}

/// Drives a deep agent to its budget: progress on stderr, metrics to CSV and JSON lines,
/// checkpoints (atomic) every `checkpointEvery` steps and at the end, periodic evaluations
/// with the best model kept (`best.safetensors`), then a deterministic evaluation on a freshly
/// seeded environment with Gymnasium's time limit.
struct DeepTrainer {
    let configuration: RunConfiguration
    let directory: URL?
    var showsProgress = true
    /// Episodes of the final evaluations (of the last and the best model) if not the configuration's.
    var finalEpisodes: Int?

    var checkpointURL: URL? { directory?.appendingPathComponent("checkpoint.safetensors") }
    var bestURL: URL? { directory?.appendingPathComponent("best.safetensors") }

    /// A new run, or (`resume`) the run in `directory` continued from its checkpoint, with
    /// subnormal floats flushed to zero (`Subnormals`: they only cost time).
    func run(resume: Bool = false) throws -> TrainingSummary {
        try withSubnormalsFlushedToZero { try train(resume: resume) }
    }

    private func train(resume: Bool) throws -> TrainingSummary {
        // The networks of these agents are small: OpenBLAS's second thread would spin (and
        // cost more than it gives) on products of a few hundred thousand multiply-adds.
        BLAS.setThreadCount(1)
        let agent = try configuration.makeAgent()
        var periodic = (configuration.evalFreq ?? 0) > 0
            ? PeriodicEvaluation(every: configuration.evalFreq ?? 0, episodes: configuration.evaluationEpisodes,
                                 seed: configuration.periodicEvaluationSeed, environment: configuration.makeEnvironment)
            : nil
        var bestCheckpoint: SafeTensors?  // kept in memory when there is no run directory
        var previousWall = 0.0
        var curve: [CurvePoint] = []
        var recent: [Double] = []  // returns of the last 100 episodes
        if let directory {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            if resume {
                guard let url = checkpointURL, FileManager.default.fileExists(atPath: url.path) else {
                    throw UserError("\(directory.path) has no checkpoint.safetensors to resume from")
                }
                let checkpoint = try SafeTensors.read(from: url)
                try agent.restore(from: checkpoint)
                previousWall = Double(checkpoint.metadata["wall_s"] ?? "") ?? 0
                if let mean = checkpoint.metadata["best_eval_mean"].flatMap(Double.init),
                   let steps = checkpoint.metadata["best_eval_steps"].flatMap(Int.init) {
                    periodic?.best = (mean, steps)
                }
                (curve, recent) = try MetricsLog.truncate(directory, toSteps: agent.stepsDone)
            } else {
                try writeAtomically(JSONEncoder.pretty.encode(configuration), to: directory.appendingPathComponent("config.json"))
                try MetricsLog.truncate(directory, toSteps: 0)
            }
        }
        var log = try directory.map { try MetricsLog(directory: $0) }
        let start = nanoseconds()
        func wall() -> Double { previousWall + Double(nanoseconds() - start) / 1e9 }
        var lastProgress = 0.0, nextCheckpoint = nextMultiple(after: agent.stepsDone)
        let startSteps = agent.stepsDone
        // Each iteration's tensors and graph nodes reuse the buffers of the one before.
        let pool = TensorPool()
        while agent.stepsDone < configuration.totalSteps {
            let stepsBefore = agent.stepsDone
            var report = try withTensorPool(pool) { try agent.iterate() }
            recent += report.episodes.map(\.totalReward)
            if recent.count > 100 { recent.removeFirst(recent.count - 100) }
            let meanReturn = recent.isEmpty ? Double.nan : recent.reduce(0, +) / Double(recent.count)
            curve.append(CurvePoint(steps: report.steps, meanReturn: meanReturn))
            if periodic != nil {
                var evaluated = [Double.nan, .nan]
                if periodic!.isDue(after: stepsBefore, now: agent.stepsDone) {
                    let (result, isBest) = try periodic!.evaluate(agent)
                    evaluated = [result.mean, result.standardDeviation]
                    if isBest {
                        var checkpoint = try agent.checkpoint()
                        checkpoint.metadata["env"] = configuration.env
                        if let url = bestURL { try checkpoint.write(to: url) } else { bestCheckpoint = checkpoint }
                    }
                }
                report.metrics += [("eval/mean_reward", evaluated[0]), ("eval/std_reward", evaluated[1]),
                                   ("eval/best_mean_reward", periodic?.best?.mean ?? .nan)]
            }
            try log?.append(report, wall: wall(), meanReturn: meanReturn)
            if showsProgress && (wall() - lastProgress > 0.5 || agent.stepsDone >= configuration.totalSteps) {
                lastProgress = wall()
                let rate = Double(agent.stepsDone - startSteps) / Swift.max(wall() - previousWall, 1e-9)
                let eta = Double(configuration.totalSteps - agent.stepsDone) / Swift.max(rate, 1e-9)
                progress(String(format: "%@ %@  steps %d/%d  %.0f steps/s  return(100) %.1f  ETA %.0f s",
                                configuration.agent, configuration.env, agent.stepsDone, configuration.totalSteps,
                                rate, meanReturn, eta))
            }
            if configuration.checkpointEvery > 0, agent.stepsDone >= nextCheckpoint, agent.stepsDone < configuration.totalSteps {
                try save(agent, wall: wall(), best: periodic?.best)
                nextCheckpoint = nextMultiple(after: agent.stepsDone)
            }
        }
        if showsProgress { FileHandle.standardError.write(Data("\n".utf8)) }
        let wallSeconds = wall()
        try save(agent, wall: wallSeconds, best: periodic?.best)
        try log?.close()
        let episodes = finalEpisodes ?? configuration.evaluationEpisodes
        let evaluation = try evaluate(agent, episodes: episodes, deterministic: true)
        var best: (evaluation: EvaluationResult, steps: Int)?
        if let steps = periodic?.best?.steps, let checkpoint = try bestCheckpoint ?? bestURL.map({ try SafeTensors.read(from: $0) }) {
            let bestAgent = try configuration.makeAgent()
            try bestAgent.restore(from: checkpoint)
            best = (try evaluate(bestAgent, episodes: episodes, deterministic: true), steps)
        }
        return TrainingSummary(steps: agent.stepsDone, wallSeconds: wallSeconds, curve: curve, evaluation: evaluation, best: best)
    }

    private func nextMultiple(after steps: Int) -> Int {
        configuration.checkpointEvery > 0 ? (steps / configuration.checkpointEvery + 1) * configuration.checkpointEvery : .max
    }

    private func save(_ agent: any DeepAgent, wall: Double, best: (mean: Double, steps: Int)?) throws {
        guard let url = checkpointURL else { return }
        var checkpoint = try agent.checkpoint()
        checkpoint.metadata["wall_s"] = "\(wall)"
        checkpoint.metadata["env"] = configuration.env
        if let best {
            checkpoint.metadata["best_eval_mean"] = "\(best.mean)"
            checkpoint.metadata["best_eval_steps"] = "\(best.steps)"
        }
        try checkpoint.write(to: url)
    }

    /// Deterministic (or sampled) episodes on a fresh environment seeded 10 000 + seed, as the
    /// SB3 anchor evaluates.
    func evaluate(_ agent: any DeepAgent, episodes: Int, deterministic: Bool) throws -> EvaluationResult {
        try evaluatePolicy(on: configuration.makeEnvironment(), episodes: episodes, seed: configuration.finalEvaluationSeed) {
            agent.act($0, deterministic: deterministic)
        }
    }
}

private func progress(_ line: String) {
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}

/// `metrics.csv` (one row per iteration) and `metrics.jsonl` (the same, plus each finished
/// episode's return) in a run directory.
struct MetricsLog {
    let csv: FileHandle, jsonl: FileHandle
    private var header: [String]?

    init(directory: URL) throws {
        let csvURL = directory.appendingPathComponent("metrics.csv"), jsonURL = directory.appendingPathComponent("metrics.jsonl")
        for url in [csvURL, jsonURL] where !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)  // if it fails, opening it below throws
        }
        csv = try FileHandle(forWritingTo: csvURL)
        jsonl = try FileHandle(forWritingTo: jsonURL)
        try csv.seekToEnd()
        try jsonl.seekToEnd()
        let existing = (try? String(contentsOf: csvURL, encoding: .utf8)) ?? ""
        header = existing.split(separator: "\n").first.map { $0.split(separator: ",").map(String.init) }
    }

    mutating func append(_ report: TrainingReport, wall: Double, meanReturn: Double) throws {
        let names = ["steps", "wall_s", "charts/mean_return_100"] + report.metrics.map(\.name)
        let values = [Double(report.steps), wall, meanReturn] + report.metrics.map(\.value)
        if header == nil {
            header = names
            try csv.write(contentsOf: Data((names.joined(separator: ",") + "\n").utf8))
        }
        try csv.write(contentsOf: Data((values.map { $0.isFinite ? "\($0)" : "" }.joined(separator: ",") + "\n").utf8))
        var object: [String: Any] = [:]
        for (name, value) in zip(names, values) where value.isFinite { object[name] = value }
        object["steps"] = report.steps
        object["charts/episodic_return"] = report.episodes.map(\.totalReward)
        object["charts/episodic_length"] = report.episodes.map(\.length)
        try jsonl.write(contentsOf: JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) + Data("\n".utf8))
    }

    func close() throws {
        try csv.close()
        try jsonl.close()
    }

    /// Drops rows logged after `steps` (work a crash or a resume will redo); returns the
    /// learning curve kept and the returns of its last 100 episodes.
    @discardableResult
    static func truncate(_ directory: URL, toSteps steps: Int) throws -> (curve: [CurvePoint], recent: [Double]) {
        var recent: [Double] = []
        let csvURL = directory.appendingPathComponent("metrics.csv"), jsonURL = directory.appendingPathComponent("metrics.jsonl")
        var curve: [CurvePoint] = []
        if let text = try? String(contentsOf: csvURL, encoding: .utf8) {
            let lines = text.split(separator: "\n").map(String.init)
            let kept = lines.prefix(1) + lines.dropFirst().filter { (Int(Double($0.split(separator: ",", omittingEmptySubsequences: false)[0]) ?? .infinity)) <= steps }
            for line in kept.dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                curve.append(CurvePoint(steps: Int(Double(fields[0]) ?? 0), meanReturn: Double(fields[2]) ?? .nan))
            }
            try writeAtomically(Data((steps == 0 ? "" : kept.joined(separator: "\n") + "\n").utf8), to: csvURL)
        }
        if let text = try? String(contentsOf: jsonURL, encoding: .utf8) {
            let kept = text.split(separator: "\n").filter { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let s = object["steps"] as? Int else { return false }
                if s <= steps { recent += (object["charts/episodic_return"] as? [Double]) ?? [] }
                return s <= steps
            }
            try writeAtomically(Data((kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n").utf8), to: jsonURL)
        }
        return (curve, Array(recent.suffix(100)))
    }
}
