// Pretraining the tiny GPT by next-token prediction, as nanoGPT's train.py and the anchor's
// pretrain.py do: L = −(1/|M|) Σ_{(b,t)∈M} log p_θ(x_{b,t+1} | x_{b,≤t}), AdamW. On the addition
// task M is the answer positions (the prompt is given, not learned) and training stops once greedy
// exact match on the validation set's clean subset reaches `target_clean`; on a text corpus M is
// every position and the validation loss is reported.
import Foundation
import NN
import Random
import Tensor
import TinyLM

// MARK: - Settings

/// The anchor's pretraining settings (`../shared/anchors/llm/pretrain.py`): AdamW with PyTorch's
/// defaults at learning rate 1e-3, batch 64, validation every 250 steps, stop at 95 % on the clean
/// subset; the model is the anchor's (4 layers, 4 heads, 128 wide, 32 positions).
public struct PretrainingSettings: ParameterSet {
    /// Gradient steps at most (the anchor's `--max-steps`).
    public var nTimesteps = 20_000
    /// `addition` (the task's noisy-teacher corpus) or the path of a UTF-8 text file (bytes as tokens).
    public var corpus = "addition"
    public var learningRate = 1e-3
    public var batchSize = 64
    public var weightDecay = 0.01
    public var adamBeta1 = 0.9
    public var adamBeta2 = 0.999
    /// Gradient steps between validations (`--eval-every`).
    public var evalFreq = 250
    /// Stop when greedy exact match on the validation set's clean subset reaches this (addition only);
    /// above 1 it never stops early.
    public var targetClean = 0.95
    public var nLayer = 4
    public var nHead = 4
    public var nEmbd = 128
    /// The context length; a text corpus trains on windows of this many tokens.
    public var nPositions = 32

    public init() {}

    public static var ranges: [ParameterRange<Self>] { [
        .integer("n_timesteps", \.nTimesteps, 1...Limits.steps),
        ParameterRange("corpus", expected: "addition or the path of a text file", accepts: { !$0.corpus.isEmpty }, value: \.corpus),
        .number("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .integer("batch_size", \.batchSize, 1...Limits.batch),
        .number("weight_decay", \.weightDecay, .closed(0, 1)),
        .number("adam_beta1", \.adamBeta1, .closed(0, 0.999_999)),
        .number("adam_beta2", \.adamBeta2, .closed(0, 0.999_999_999)),
        .integer("eval_freq", \.evalFreq, 1...1_000_000),
        .number("target_clean", \.targetClean, .closed(0, 2)),
        .integer("n_layer", \.nLayer, 1...64),
        .integer("n_head", \.nHead, 1...64),
        .integer("n_embd", \.nEmbd, 1...4096),
        .integer("n_positions", \.nPositions, 2...4096),
    ] }

    public func crossChecks() throws {
        guard nEmbd % nHead == 0 else {
            throw HyperparameterError.invalid(name: "n_head", value: "\(nHead)", expected: "a divisor of n_embd=\(nEmbd)")
        }
        if corpus == "addition", nPositions < AdditionSplits.promptLength + AdditionSplits.maximumAnswerLength {
            throw HyperparameterError.invalid(name: "n_positions", value: "\(nPositions)", expected: "at least 13 for the addition task")
        }
    }

    /// The model these settings describe, for `tokenizer`'s vocabulary.
    public func modelConfiguration(vocabularySize: Int) -> GPTConfiguration {
        GPTConfiguration(vocabularySize: vocabularySize, contextLength: nPositions, embedding: nEmbd, layers: nLayer, heads: nHead)
    }
}

// MARK: - Trainer

/// Pretrains a GPT from scratch: `iterate` takes gradient steps up to the next validation and
/// validates. The library loop (`learn`) gives it run folders, metrics and exact resume.
public final class Pretraining: Trainable {
    public static let id = "pretrain"
    public var name: String { Self.id }
    public let settings: PretrainingSettings
    public let model: GPT
    public let seed: UInt64
    public let totalSteps: Int
    public private(set) var stepsDone = 0
    /// The stop rule held at the last validation.
    public private(set) var isFinished = false
    /// Seconds spent in gradient steps (not validations), across resumptions: tokens/s is measured on these.
    public private(set) var trainSeconds = 0.0
    /// The last validation (addition: greedy exact match on the validation set).
    public private(set) var lastValidation: ExactMatch?
    public let corpus: PretrainingCorpus
    private let optimizer: AdamW
    private var generator: RandomGenerator
    private var epoch = EpochOrder()

    public init(settings: PretrainingSettings, seed: UInt64, totalSteps: Int? = nil) throws {
        try settings.validate()
        (self.settings, self.seed, self.totalSteps) = (settings, seed, totalSteps ?? settings.nTimesteps)
        corpus = try PretrainingCorpus(settings.corpus, contextLength: settings.nPositions)
        guard settings.batchSize <= corpus.sequenceCount else {
            throw HyperparameterError.invalid(name: "batch_size", value: "\(settings.batchSize)",
                                              expected: "at most the corpus's \(corpus.sequenceCount) training sequences")
        }
        let configuration = settings.modelConfiguration(vocabularySize: corpus.tokenizer.vocabularySize)
        try Self.checkMemory(configuration, batch: settings.batchSize)
        model = try GPT(configuration, seed: seed)
        optimizer = AdamW(model.parameters, learningRate: Float(settings.learningRate), beta1: Float(settings.adamBeta1),
                          beta2: Float(settings.adamBeta2), weightDecay: Float(settings.weightDecay))
        generator = RandomGenerator(seed: seed)
    }

    /// The parameters with their gradients and AdamW's two moments, and a batch's activations
    /// (the residual stream's and MLP's ≈ 16·C, the attention maps' 2·H·T per layer, the logits' 2·V,
    /// per token), must fit in memory.
    static func checkMemory(_ configuration: GPTConfiguration, batch: Int) throws {
        let (c, t, v) = (configuration.embedding, configuration.contextLength, configuration.vocabularySize)
        let perToken = configuration.layers * (16 * c + 2 * configuration.heads * t) + 2 * v
        try MemoryBudget.check("a model of n_embd=\(c), n_layer=\(configuration.layers), n_positions=\(t) with AdamW's moments",
                               count: configuration.parameterCount, bytesEach: 16)
        try MemoryBudget.check("a batch of \(batch) × \(t) tokens through n_embd=\(c), n_layer=\(configuration.layers)",
                               count: MemoryBudget.product(batch, t, perToken) ?? .max, bytesEach: 4)
    }

    public func iterate() throws -> TrainingReport {
        // At most 50 steps an iteration (≈ 2 s), so that Ctrl-C, checkpoints and a loop's target come between them.
        let untilValidation = settings.evalFreq - stepsDone % settings.evalFreq
        let count = Swift.min(untilValidation, totalSteps - stepsDone, 50)
        var losses: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<Swift.max(count, 1) {
            let batch = corpus.batch(settings.batchSize, order: &epoch, using: &generator)
            let loss = Loss.crossEntropy(logits: model(batch.inputs), targets: batch.targets, mask: batch.mask)
            try ensureFinite(loss.item, "the pretraining loss at step \(stepsDone)")
            optimizer.zeroGrad()
            loss.backward()
            try ensureFinite(clipGradientNorm(model.parameters, maxNorm: .infinity), "the gradient norm at pretraining step \(stepsDone)")
            optimizer.step()
            losses.append(Double(loss.item))
            stepsDone += 1
        }
        trainSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var metrics: [(name: String, value: Double)] = [("losses/loss", losses.reduce(0, +) / Double(losses.count)),
                                                         ("losses/last_loss", losses.last ?? .nan),
                                                         ("charts/train_seconds", trainSeconds)]
        let validating = stepsDone % settings.evalFreq == 0 || stepsDone >= totalSteps
        switch corpus.content {
        case .addition(let splits, _):
            if validating {
                let score = try model.exactMatch(on: splits.validation)
                lastValidation = score
                isFinished = score.clean >= settings.targetClean
            }
            let v = validating ? lastValidation : nil
            metrics += [("val/overall", v?.overall ?? .nan), ("val/clean", v?.clean ?? .nan), ("val/carry", v?.carry ?? .nan),
                        ("val/carry_forgotten", v?.carryForgottenRate ?? .nan)]
        case .text:
            metrics.append(("val/loss", validating ? Double(corpus.validationLoss(model, batch: settings.batchSize)) : .nan))
        }
        return TrainingReport(steps: stepsDone, metrics: metrics, episodes: [])
    }

    // MARK: Checkpoint

    /// Input tokens per second of gradient steps (padding included, as the anchor counts `tokens_per_s_padded`).
    public var tokensPerSecond: Double {
        Double(stepsDone * settings.batchSize * corpus.tokensPerSequence) / Swift.max(trainSeconds, 1e-9)
    }

    private struct Progress: Codable {
        var stepsDone: Int
        var isFinished: Bool
        var trainSeconds: Double
        var generator: RandomGenerator
        var epoch: EpochOrder
        var lastValidation: ExactMatch?
        /// What the corpus was, so that a resumed run refuses other data.
        var corpusFingerprint: String?
    }

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = settings.json
        try builder.add(json: model.configuration, as: "gpt_configuration")
        builder.add(model, as: "model")
        builder.add(optimizer, as: "optimizer")
        try builder.add(json: Progress(stepsDone: stepsDone, isFinished: isFinished, trainSeconds: trainSeconds,
                                       generator: generator, epoch: epoch, lastValidation: lastValidation,
                                       corpusFingerprint: corpus.fingerprint), as: "progress")
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(model, from: "model")
        try reader.load(optimizer, from: "optimizer")
        let progress = try reader.json(Progress.self, "progress")
        stepsDone = try reader.count(progress.stepsDone, "progress.steps_done")
        guard progress.corpusFingerprint == corpus.fingerprint else {
            throw TrainingError.checkpoint("it was trained on another corpus than \(settings.corpus) holds now")
        }
        guard progress.trainSeconds.isFinite, progress.trainSeconds >= 0,
              progress.epoch.position >= 0 else {
            throw TrainingError.checkpoint("its progress record is out of range")
        }
        (isFinished, trainSeconds, generator, epoch, lastValidation) =
            (progress.isFinished, progress.trainSeconds, progress.generator, progress.epoch, progress.lastValidation)
        try ensureFiniteParameters(of: model)
    }
}

/// Where an epoch stands: the seed of its shuffle and the next position in it. An epoch's order
/// is drawn from its own seed, so a checkpoint holds two numbers instead of the permutation.
struct EpochOrder: Codable {
    var seed: UInt64 = 0
    var position = Int.max  // past the end: the first batch starts an epoch
    private(set) var order: [Int]? = nil

    enum CodingKeys: String, CodingKey { case seed, position }

    /// The next `count` sequence indices of `total`, as the anchor takes them: an epoch is a
    /// shuffle of all sequences, a batch that would run past its end starts the next one.
    mutating func next(_ count: Int, of total: Int, using generator: inout RandomGenerator) -> ArraySlice<Int> {
        precondition(count <= total, "a batch of \(count) from \(total) sequences (the trainers check this first)")
        if position > total - count || order == nil {
            if position > total - count {
                seed = generator.next()
                position = 0
            }
            var shuffler = RandomGenerator(seed: seed)
            var indices = Array(0..<total)
            indices.shuffle(using: &shuffler)
            order = indices
        }
        defer { position += count }
        return order![position..<(position + count)]
    }
}

/// A model's parameters must be numbers: a tampered checkpoint is refused rather than trained on.
public func ensureFiniteParameters(of module: Module) throws {
    for (name, parameter) in module.namedParameters where !parameter.value.scalars.allSatisfy(\.isFinite) {
        throw TrainingError.checkpoint("parameter '\(name)' holds values that are not finite")
    }
}
