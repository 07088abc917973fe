import Agents
import Foundation
import NN
import Threads
import TinyLM

/// What a language-model run folder's `config.json` holds: which trainer (`pretrain`, or an RL
/// algorithm), its seed, budget and settings — enough to rebuild it and continue from its checkpoint.
public struct LanguageModelRunConfiguration: Codable, Sendable {
    /// Tells a language-model run from a deep RL agent's.
    public var kind = LanguageModelRunConfiguration.kindName
    /// `pretrain`, or the RL algorithm (`grpo`, `dr-grpo`, `rloo`, `reinforce`).
    public var trainer: String
    public var seed: UInt64
    public var totalSteps: Int
    public var checkpointEvery: Int
    public var settings: JSONValue

    public static let kindName = "language_model"

    enum CodingKeys: String, CodingKey {
        case kind, trainer, seed, totalSteps = "total_steps", checkpointEvery = "checkpoint_every", settings
    }

    init(trainer: any Trainable, settingsJSON: String, checkpointEvery: Int) throws {
        (self.trainer, seed, totalSteps, self.checkpointEvery) = (trainer.name, trainer.seed, trainer.totalSteps, checkpointEvery)
        settings = try JSONDecoder().decode(JSONValue.self, from: Data(settingsJSON.utf8))
    }
}

extension ParameterSet {
    func validated() throws -> Self {
        try validate()
        return self
    }
}

/// Language-model runs through the library training loop: run folders, metrics, checkpoints, exact resume.
public enum LanguageModels {
    /// Trains `trainer` (a `Pretraining` or a `GRPO`) up to `totalSteps` (its budget unless given), as `DeepAgent.learn` does
    /// (metrics every iteration, an atomic checkpoint every `checkpointEvery` steps and at the end,
    /// SIGINT/SIGTERM handled). A trainer restored with `load(from:)` continues its run exactly.
    /// OpenBLAS runs on one thread and the loop's helper thread takes half of each large product
    /// (measured on 2 vCPUs: 20.0 k tokens/s against 17.8 k with OpenBLAS's two threads, whose waiting
    /// competes with the helper's), so the numbers are the same on any core count and never depend on
    /// another thread's OpenBLAS setting (`BLAS.configured`).
    @discardableResult
    public static func learn(_ trainer: any Trainable, totalSteps: Int? = nil, run: RunDirectory? = nil, checkpointEvery: Int = 0,
                             callbacks: [any TrainingCallback] = []) throws -> TrainingSummary {
        let threads = BLAS.threadCount
        BLAS.setThreadCount(1)
        defer { BLAS.setThreadCount(threads) }
        let settingsJSON = try settingsJSON(of: trainer)
        var loop = TrainingLoop(agent: trainer, target: Swift.min(totalSteps ?? trainer.totalSteps, trainer.totalSteps), run: run, checkpointEvery: checkpointEvery,
                                callbacks: callbacks, resumeCommand: "athanor lm \(trainer is Pretraining ? "pretrain" : "rl")") { run in
            let configuration = try LanguageModelRunConfiguration(trainer: trainer, settingsJSON: settingsJSON, checkpointEvery: checkpointEvery)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try writeAtomically(encoder.encode(configuration), to: run.configurationURL)
            return [("trainer", configuration.trainer), ("seed", "\(configuration.seed)"), ("total_steps", "\(configuration.totalSteps)")]
                + MetricsLog.rows(describingJSON: settingsJSON)
        }
        return try withSubnormalsFlushedToZero { try loop.train() }
    }

    private static func settingsJSON(of trainer: any Trainable) throws -> String {
        switch trainer {
        case let pretraining as Pretraining: pretraining.settings.json
        case let grpo as GRPO: grpo.settings.json
        default: throw TrainingError.unsupported("\(trainer.name) is not a language-model trainer")
        }
    }

    /// The configuration of a language-model run folder.
    public static func configuration(of run: RunDirectory) throws -> LanguageModelRunConfiguration {
        guard let data = try? Data(contentsOf: run.configurationURL) else { throw RunError.notARunDirectory(run.path) }
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data),
              object["kind"] == .string(LanguageModelRunConfiguration.kindName) else {
            throw RunError.malformedConfiguration(path: run.configurationURL.path, detail: "it is not a language-model run")
        }
        let configuration: LanguageModelRunConfiguration
        do { configuration = try JSONDecoder().decode(LanguageModelRunConfiguration.self, from: data) } catch {
            throw RunError.malformedConfiguration(path: run.configurationURL.path, detail: RunDirectory.reason(error))
        }
        return configuration
    }

    /// The trainer of a run folder restored from its last checkpoint: `learn(_:run:)` on it continues the run.
    /// RL runs rebuild their model from the checkpoint, so the model they started from need not be there any more.
    public static func load(from run: RunDirectory) throws -> any Trainable {
        let configuration = try configuration(of: run)
        func malformed(_ detail: String) -> RunError { .malformedConfiguration(path: run.configurationURL.path, detail: detail) }
        guard (1...Limits.steps).contains(configuration.totalSteps), (0...Limits.steps).contains(configuration.checkpointEvery) else {
            throw malformed("total_steps must be in 1…\(Limits.steps) and checkpoint_every in 0…\(Limits.steps)")
        }
        guard ([Pretraining.id] + GRPOSettings.algorithms).contains(configuration.trainer) else {
            throw malformed("unknown trainer '\(configuration.trainer)'; trainers: \(([Pretraining.id] + GRPOSettings.algorithms).joined(separator: ", "))")
        }
        let checkpoint = try run.checkpoint(best: false)
        let settings = String(decoding: configuration.settings.data, as: UTF8.self)
        if configuration.trainer == Pretraining.id {
            let pretraining = try Pretraining(settings: PretrainingSettings.decode(json: settings).validated(), seed: configuration.seed,
                                              totalSteps: configuration.totalSteps)
            try pretraining.restore(from: checkpoint)
            return pretraining
        }
        let grpoSettings = try GRPOSettings.decode(json: settings).validated()
        guard grpoSettings.algo == configuration.trainer else { throw malformed("trainer '\(configuration.trainer)' but algo=\(grpoSettings.algo)") }
        let grpo = try GRPO(settings: grpoSettings, model: model(in: checkpoint), seed: configuration.seed, totalSteps: configuration.totalSteps)
        try grpo.restore(from: checkpoint)
        return grpo
    }

    /// A GPT from a language-model run folder (its last checkpoint's model) or from a Hugging Face
    /// folder (`config.json` + `model.safetensors`, as `save_pretrained` writes it).
    public static func loadModel(_ path: String) throws -> GPT {
        guard !path.isEmpty else { throw TrainingError.unsupported("no model given: name a pretraining run folder or a Hugging Face folder") }
        let folder = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) else {
            throw TrainingError.unsupported("\(path) is neither a language-model run folder nor a Hugging Face folder (it has no config.json)")
        }
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) {
            return try GPT.loadHuggingFace(from: folder)
        }
        let run = RunDirectory(path)
        _ = try configuration(of: run)
        return try model(in: run.checkpoint(best: false))
    }

    /// The model a trainer's checkpoint holds (its `model.` tensors and `gpt_configuration`).
    public static func model(in checkpoint: SafeTensors) throws -> GPT {
        guard let text = checkpoint.metadata["gpt_configuration"],
              let configuration = try? JSONDecoder().decode(GPTConfiguration.self, from: Data(text.utf8)) else {
            throw TrainingError.checkpoint("it holds no model configuration (gpt_configuration)")
        }
        try MemoryBudget.check("a model of \(configuration.parameterCount) parameters (the checkpoint's gpt_configuration)",
                               count: configuration.validated().parameterCount, bytesEach: 16)
        let model = try GPT(configuration, seed: 0)
        let names = model.namedParameters.map(\.name)
        let byName = Dictionary(checkpoint.tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        try model.load(SafeTensors(tensors: try names.map { name in
            guard let tensor = byName["model.\(name)"] else { throw TrainingError.checkpoint("no tensor 'model.\(name)'") }
            return (name, tensor)
        }))
        try ensureFiniteParameters(of: model)
        return model
    }
}
