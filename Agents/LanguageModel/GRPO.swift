// Group Relative Policy Optimization (Shao et al. 2024, DeepSeekMath §4.1) and its relatives, as
// TRL's GRPOTrainer computes them. Per prompt q, G completions o_1…o_G are sampled from π_old and
// scored r_i; the advantage of every token of o_i is
//     grpo:      Â_i = (r_i − mean(r)) / (std(r) + 1e-4)        (std unbiased, as torch.std)
//     dr-grpo:   Â_i = r_i − mean(r)                             (Liu et al. 2025: no std scaling)
//     rloo:      Â_i = r_i − (Σ_{j≠i} r_j) / (G − 1)             (Ahmadian et al. 2024: leave one out)
//     reinforce: Â_i = r_i − mean(r)                             (Williams 1992 with a group baseline; β = 0)
// and the per-token loss, with ρ_t = π_θ(o_t|q, o_<t) / π_old(o_t|q, o_<t),
//     ℓ_t = −min(ρ_t Â, clip(ρ_t, 1 − ε, 1 + ε_high) Â) + β·ρ_t·(π_ref/π_θ − log(π_ref/π_θ) − 1)   (k3 KL,
//           weighted by ρ_t as TRL does by default: `use_bias_correction_kl`)
// aggregated as `loss_type` says: grpo = mean over completions of each one's token mean; dr_grpo =
// Σ ℓ / (B · max_completion_length); dapo = Σ ℓ / Σ tokens. μ = num_iterations passes per batch.
import Foundation
import NN
import Random
import Tensor
import TinyLM

// MARK: - Settings

/// The anchor's GRPOConfig (`../shared/anchors/llm/grpo_trl.py`), in TRL's names: 8 prompts × 8
/// completions per step, β 0.04, ε 0.2, loss "grpo", rewards scaled per group, temperature 1, at
/// most 6 new tokens, AdamW at 5e-5 (weight decay 0) decaying linearly to 0 over 300 steps, gradient
/// norm clipped at 1, one pass per batch.
public struct GRPOSettings: ParameterSet {
    /// grpo, dr-grpo, rloo or reinforce: how advantages are made from a group's rewards.
    public var algo = "grpo"
    /// A pretraining run folder or a Hugging Face folder (config.json + model.safetensors) to start from.
    public var model = ""
    /// The budget in steps (batches of completions; each is num_iterations optimiser steps); `--steps` overrides it.
    public var maxSteps = 300
    public var numGenerations = 8
    /// Completions per step (prompts per step × num_generations).
    public var perDeviceTrainBatchSize = 64
    public var beta = 0.04
    public var epsilon = 0.2
    /// The upper clip bound's ε (DAPO's clip-higher); none = epsilon.
    public var epsilonHigh: Double? = nil
    /// grpo, dr_grpo or dapo.
    public var lossType = "grpo"
    public var numIterations = 1
    public var temperature = 1.0
    public var topK = 0
    public var topP = 1.0
    public var maxCompletionLength = 6
    public var learningRate = 5e-5
    public var weightDecay = 0.0
    public var adamBeta1 = 0.9
    public var adamBeta2 = 0.999
    public var adamEpsilon = 1e-8
    public var maxGradNorm = 1.0
    /// Weight the k3 KL term by the importance ratio (TRL's default).
    public var useBiasCorrectionKl = true
    /// The first N training problems are the prompts (the anchor's 20,000).
    public var prompts = 20_000
    /// Greedy exact match on the test set every N steps (0: never), for learning curves.
    public var evalFreq = 0

    public init() {}

    public static let algorithms = AdvantageEstimator.allCases.map(\.rawValue)
    public static let lossTypes = LossAggregation.allCases.map(\.rawValue)
    public static var optionalNames: [String] { ["epsilon_high"] }

    /// The settings an algorithm is usually run with: Dr. GRPO with its own aggregation, REINFORCE without the KL term.
    public static func defaults(for algo: String) -> GRPOSettings {
        var settings = GRPOSettings()
        settings.algo = algo
        if algo == "dr-grpo" { settings.lossType = "dr_grpo" }
        if algo == "reinforce" { settings.beta = 0 }
        return settings
    }

    public static var ranges: [ParameterRange<Self>] { [
        ParameterRange("algo", expected: "one of \(algorithms.joined(separator: ", "))", accepts: { algorithms.contains($0.algo) }, value: \.algo),
        ParameterRange("model", expected: "the path of a pretraining run or a Hugging Face folder", accepts: { _ in true }, value: \.model),
        .integer("max_steps", \.maxSteps, 1...Limits.steps),
        .integer("num_generations", \.numGenerations, 2...4096),
        .integer("per_device_train_batch_size", \.perDeviceTrainBatchSize, 2...65_536),
        .number("beta", \.beta, .closed(0, 1e3)),
        .number("epsilon", \.epsilon, .closed(0, 10)),
        .optionalNumber("epsilon_high", \.epsilonHigh, .closed(0, 10)),
        ParameterRange("loss_type", expected: "one of \(lossTypes.joined(separator: ", "))", accepts: { lossTypes.contains($0.lossType) },
                       value: \.lossType),
        .integer("num_iterations", \.numIterations, 1...64),
        .number("temperature", \.temperature, .above(0, upTo: 100)),
        .integer("top_k", \.topK, 0...1 << 20),
        .number("top_p", \.topP, .above(0, upTo: 1)),
        .integer("max_completion_length", \.maxCompletionLength, 1...4096),
        .number("learning_rate", \.learningRate, .above(0, upTo: 1)),
        .number("weight_decay", \.weightDecay, .closed(0, 1)),
        .number("adam_beta1", \.adamBeta1, .closed(0, 0.999_999)),
        .number("adam_beta2", \.adamBeta2, .closed(0, 0.999_999_999)),
        .number("adam_epsilon", \.adamEpsilon, .above(0, upTo: 1)),
        .number("max_grad_norm", \.maxGradNorm, .above(0, upTo: 1e6)),
        .flag("use_bias_correction_kl", \.useBiasCorrectionKl),
        .integer("prompts", \.prompts, 1...200_000),
        .integer("eval_freq", \.evalFreq, 0...Limits.steps),
    ] }

    public func crossChecks() throws {
        guard perDeviceTrainBatchSize % numGenerations == 0 else {
            throw HyperparameterError.invalid(name: "per_device_train_batch_size", value: "\(perDeviceTrainBatchSize)",
                                              expected: "a multiple of num_generations=\(numGenerations)")
        }
    }

    var promptsPerStep: Int { perDeviceTrainBatchSize / numGenerations }
}

// MARK: - The objective, as the paper writes it

/// How a group's rewards become advantages (the `algo` setting).
public enum AdvantageEstimator: String, CaseIterable, Sendable {
    case grpo, drGRPO = "dr-grpo", rloo, reinforce
}

/// How per-token losses become the batch's loss (TRL's `loss_type`).
public enum LossAggregation: String, CaseIterable, Sendable {
    case grpo, drGRPO = "dr_grpo", dapo
}

public enum GroupRelative {
    /// Each completion's advantage from its group's rewards (groups of `groupSize` consecutive completions).
    public static func advantages(_ rewards: [Double], groupSize g: Int, estimator: AdvantageEstimator) throws -> [Float] {
        guard g >= 2, rewards.count % g == 0 else {
            throw TrainingError.unsupported("\(rewards.count) rewards do not make groups of \(g) (a group needs at least 2)")
        }
        var result: [Float] = []
        result.reserveCapacity(rewards.count)
        for start in stride(from: 0, to: rewards.count, by: g) {
            let group = rewards[start..<(start + g)]
            let sum = group.reduce(0, +), mean = sum / Double(g)
            let std = (group.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(g - 1)).squareRoot()
            for r in group {
                switch estimator {
                case .grpo: result.append(Float((r - mean) / (std + 1e-4)))
                case .rloo: result.append(Float(r - (sum - r) / Double(g - 1)))
                case .drGRPO, .reinforce: result.append(Float(r - mean))
                }
            }
        }
        return result
    }

    /// ℓ_t [B, L]: the clipped surrogate plus β times the k3 estimate of KL(π_θ ‖ π_ref), and that KL term.
    /// `logp` [B, L] carries the gradient; `oldLogp` and `referenceLogp` are constants; `advantages` [B, 1].
    /// With `biasCorrectedKL` (TRL's default `use_bias_correction_kl`) the k3 term is weighted by ρ_t, which makes
    /// it an unbiased estimate under the sampling policy π_old; on-policy ρ = 1 changes its gradient, not its value.
    public static func perTokenLoss(logp: Tensor, oldLogp: Tensor, referenceLogp: Tensor?, advantages: Tensor,
                                    epsilon: Float, epsilonHigh: Float, beta: Float, biasCorrectedKL: Bool = true) -> (loss: Tensor, kl: Tensor?) {
        let ratio = (logp - oldLogp).exp()
        let surrogate = -Tensor.minimum(ratio * advantages, ratio.clamped(min: 1 - epsilon, max: 1 + epsilonHigh) * advantages)
        guard beta != 0, let referenceLogp else { return (surrogate, nil) }
        let difference = referenceLogp - logp
        let k3 = difference.exp() - difference - 1
        let kl = biasCorrectedKL ? ratio * k3 : k3
        return (surrogate + beta * kl, kl)
    }

    /// The batch loss from per-token losses [B, L] and the completion mask [B, L].
    public static func aggregate(_ perToken: Tensor, mask: Tensor, _ aggregation: LossAggregation, maxCompletionLength: Int) -> Tensor {
        let masked = perToken * mask
        switch aggregation {
        case .drGRPO: return masked.sum() / Float(perToken.shape[0] * maxCompletionLength)
        case .dapo: return masked.sum() / Swift.max(mask.sum().item, 1)
        case .grpo: return (masked.sum(alongAxis: 1) / mask.sum(alongAxis: 1).clamped(min: 1)).mean()
        }
    }

    /// log π(token) [B, L] of each completion token under `model` at `temperature`: the logits at the
    /// positions that predict them (prompt length − 1 onwards), as TRL's `_get_per_token_logps`.
    /// A group's rows share their prompt: all of it but its last token goes through the model once per
    /// group (`GPT.callAsFunction(prefixes:owner:continuations:)`), which halves the work at G = 8.
    public static func tokenLogProbabilities(_ model: GPT, prompts: [[Int]], completions: [[Int]], temperature: Float)
        -> (logp: Tensor, logSoftmax: Tensor) {
        let promptLength = prompts[0].count, length = completions[0].count
        let shared = SharedPrefixes(prompts, length: promptLength - 1)
        let predicting: Tensor                                                                  // [B, L, V]
        if promptLength > 1 && shared.isWorthwhile {
            // The last prompt token and all completion tokens but the last: the positions that predict the completion.
            let continuations = zip(prompts, completions).map { [$0.last!] + $1.dropLast() }
            predicting = model(prefixes: shared.prefixes, owner: shared.owner, continuations: continuations)
        } else {
            let logits = model(zip(prompts, completions).map { $0 + $1 })                      // [B, P+L, V]
            predicting = logits.slice(alongAxis: 1, (promptLength - 1)..<(promptLength - 1 + length))
        }
        let logSoftmax = (temperature == 1 ? predicting : predicting / temperature).logSoftmax()
        return (logSoftmax.gather(alongLastAxis: completions.flatMap { $0 }), logSoftmax)        // [B, L]
    }
}

// MARK: - Trainer

/// RL fine-tuning of a pretrained GPT on the addition task with the exact-match reward: each
/// `iterate` is one step — sample, score, μ gradient passes. The reference policy is a frozen copy
/// of the starting model.
public final class GRPO: Trainable {
    public static let id = "grpo"
    static let algorithmsList = GRPOSettings.algorithms.joined(separator: ", ")
    public var name: String { settings.algo }
    public let settings: GRPOSettings
    public let policy: GPT
    public let reference: GPT
    public let seed: UInt64
    public let totalSteps: Int
    public private(set) var stepsDone = 0
    public let splits: AdditionSplits
    public let estimator: AdvantageEstimator
    public let aggregation: LossAggregation
    private let tokenizer = CharacterTokenizer.addition
    private let optimizer: AdamW
    private var generator: RandomGenerator
    private var epoch = EpochOrder()

    public init(settings: GRPOSettings, model: GPT, seed: UInt64, totalSteps: Int? = nil, splits: AdditionSplits = AdditionSplits()) throws {
        try settings.validate()
        guard let estimator = AdvantageEstimator(rawValue: settings.algo), let aggregation = LossAggregation(rawValue: settings.lossType) else {
            throw HyperparameterError.invalid(name: "algo", value: settings.algo, expected: "one of \(Self.algorithmsList)")
        }
        (self.estimator, self.aggregation) = (estimator, aggregation)
        guard model.configuration.vocabularySize == CharacterTokenizer.addition.vocabularySize else {
            throw TrainingError.unsupported("the model's vocabulary has \(model.configuration.vocabularySize) tokens, not the addition task's 14")
        }
        guard AdditionSplits.promptLength + settings.maxCompletionLength <= model.configuration.contextLength else {
            throw HyperparameterError.invalid(name: "max_completion_length", value: "\(settings.maxCompletionLength)",
                                              expected: "at most \(model.configuration.contextLength - AdditionSplits.promptLength) for this model's context")
        }
        guard settings.prompts <= splits.train.count, settings.promptsPerStep <= settings.prompts else {
            throw HyperparameterError.invalid(name: "prompts", value: "\(settings.prompts)",
                                              expected: "\(settings.promptsPerStep)…\(splits.train.count) training problems")
        }
        try Pretraining.checkMemory(model.configuration, batch: settings.perDeviceTrainBatchSize * 2)
        (self.settings, self.seed, self.totalSteps, self.splits) = (settings, seed, totalSteps ?? settings.maxSteps, splits)
        policy = model
        reference = model.copy()
        optimizer = AdamW(policy.parameters, learningRate: Float(settings.learningRate), beta1: Float(settings.adamBeta1),
                          beta2: Float(settings.adamBeta2), epsilon: Float(settings.adamEpsilon), weightDecay: Float(settings.weightDecay))
        generator = RandomGenerator(seed: seed)
    }

    /// Exact match: 1 when the completion is the correct answer followed by `\n`, else 0.
    public static func reward(_ completion: String, for problem: AdditionProblem) -> Double { completion == problem.answer ? 1 : 0 }

    public func iterate() throws -> TrainingReport {
        // Prompts: the next of an epoch-shuffled pass over the first `prompts` training problems.
        let problems = epoch.next(settings.promptsPerStep, of: settings.prompts, using: &generator).map { splits.train[$0] }
        let group = settings.numGenerations
        let prompts = try problems.flatMap { Array(repeating: try tokenizer.encode($0.prompt), count: group) }
        let sampling = SamplingSettings(temperature: Float(settings.temperature), topK: settings.topK, topP: Float(settings.topP),
                                        maximumNewTokens: settings.maxCompletionLength, stopToken: tokenizer.endOfText)
        let sampled = try policy.generate(prompts, settings: sampling, using: &generator)
        let texts = sampled.map { tokenizer.decode($0.tokens) }
        let rewards = texts.enumerated().map { Self.reward($1, for: problems[$0 / group]) }

        // Completions padded to the longest; the mask covers each one's tokens up to its `\n`.
        let length = sampled.map(\.tokens.count).max() ?? 1
        let completions = sampled.map { $0.tokens + Array(repeating: tokenizer.padding, count: length - $0.tokens.count) }
        let mask = Tensor(sampled.flatMap { c in (0..<length).map { $0 < c.tokens.count ? Float(1) : 0 } }, shape: [sampled.count, length])
        let advantages = Tensor(try GroupRelative.advantages(rewards, groupSize: group, estimator: estimator), shape: [sampled.count, 1])
        let temperature = Float(settings.temperature)
        let referenceLogp = settings.beta == 0 ? nil : withoutGrad {
            GroupRelative.tokenLogProbabilities(reference, prompts: prompts, completions: completions, temperature: temperature).logp
        }
        // π_old: the sampling policy; with one pass it is the current one, detached.
        let oldLogp = settings.numIterations == 1 ? nil : withoutGrad {
            GroupRelative.tokenLogProbabilities(policy, prompts: prompts, completions: completions, temperature: temperature).logp
        }

        let epsilonHigh = Float(settings.epsilonHigh ?? settings.epsilon)
        var losses: [Double] = [], norms: [Double] = [], kls: [Double] = [], entropies: [Double] = [], clipped = 0.0
        let tokens = Double(mask.sum().item)
        for pass in 0..<settings.numIterations {
            // Each pass is an optimiser step; the rate falls linearly to 0 over the run's budget of them.
            let updates = Double(totalSteps * settings.numIterations)
            optimizer.learningRate = Float(settings.learningRate * Swift.max(0, 1 - Double(stepsDone * settings.numIterations + pass) / updates))
            let (logp, logSoftmax) = GroupRelative.tokenLogProbabilities(policy, prompts: prompts, completions: completions, temperature: temperature)
            let old = oldLogp ?? logp.detached()
            let (perToken, kl) = GroupRelative.perTokenLoss(logp: logp, oldLogp: old, referenceLogp: referenceLogp, advantages: advantages,
                                                            epsilon: Float(settings.epsilon), epsilonHigh: epsilonHigh, beta: Float(settings.beta),
                                                            biasCorrectedKL: settings.useBiasCorrectionKl)
            let loss = GroupRelative.aggregate(perToken, mask: mask, aggregation, maxCompletionLength: settings.maxCompletionLength)
            try ensureFinite(loss.item, "the \(settings.algo) loss at step \(stepsDone)")
            if let kl { kls.append(Double((kl.detached() * mask).sum().item) / Swift.max(tokens, 1)) }
            entropies.append(Self.meanEntropy(logSoftmax, mask: mask))
            clipped += Self.clippedShare(logp: logp, old: old, advantages: advantages, mask: mask, low: 1 - Float(settings.epsilon), high: 1 + epsilonHigh)
            optimizer.zeroGrad()
            loss.backward()
            let norm = clipGradientNorm(policy.parameters, maxNorm: Float(settings.maxGradNorm))
            try ensureFinite(norm, "the gradient norm at step \(stepsDone)")
            norms.append(Double(norm))
            optimizer.step()
            losses.append(Double(loss.item))
        }
        stepsDone += 1

        let meanReward = rewards.reduce(0, +) / Double(rewards.count)
        let groups = stride(from: 0, to: rewards.count, by: group).map { Array(rewards[$0..<($0 + group)]) }
        var metrics: [(name: String, value: Double)] = [
            ("charts/reward", meanReward),
            ("charts/reward_std", (rewards.reduce(0) { $0 + ($1 - meanReward) * ($1 - meanReward) } / Double(rewards.count - 1)).squareRoot()),
            ("charts/frac_reward_zero_std", Double(groups.filter { Set($0).count == 1 }.count) / Double(groups.count)),
            ("charts/completion_length", Double(sampled.map(\.tokens.count).reduce(0, +)) / Double(sampled.count)),
            ("charts/learning_rate", Double(optimizer.learningRate)),
            ("losses/loss", losses.reduce(0, +) / Double(losses.count)),
            ("losses/kl", kls.isEmpty ? .nan : kls.reduce(0, +) / Double(kls.count)),  // none without the KL term (β = 0)
            ("losses/entropy", entropies.reduce(0, +) / Double(entropies.count)),
            ("losses/clip_fraction", clipped / Double(settings.numIterations)),
            ("losses/grad_norm", norms.reduce(0, +) / Double(norms.count)),
        ]
        if settings.evalFreq > 0 {
            let due = stepsDone % settings.evalFreq == 0 || stepsDone == totalSteps
            let score = due ? try policy.exactMatch(on: splits.test) : nil
            metrics += [("eval/overall", score?.overall ?? .nan), ("eval/carry", score?.carry ?? .nan), ("eval/clean", score?.clean ?? .nan)]
        }
        return TrainingReport(steps: stepsDone, metrics: metrics, episodes: [])
    }

    /// The policy's mean entropy per completion token (nats), from its log-probabilities [B, L, V].
    public static func meanEntropy(_ logSoftmax: Tensor, mask: Tensor) -> Double {
        let v = logSoftmax.shape[2]
        let values = logSoftmax.scalars, weights = mask.scalars
        var total = 0.0
        for (position, weight) in weights.enumerated() where weight > 0 {
            for lp in values[(position * v)..<((position + 1) * v)] where lp > -.infinity { total -= Double(Foundation.exp(lp) * lp) }
        }
        return total / Swift.max(Double(weights.reduce(0, +)), 1)
    }

    /// TRL's clip ratio: the share of completion tokens whose ratio left the clip range in the direction the advantage pushes.
    public static func clippedShare(logp: Tensor, old: Tensor, advantages: Tensor, mask: Tensor, low: Float, high: Float) -> Double {
        let (lp, o, m, a) = (logp.scalars, old.scalars, mask.scalars, advantages.scalars)
        let length = lp.count / a.count
        var clipped = 0.0
        for i in lp.indices where m[i] > 0 {
            let ratio = Foundation.exp(lp[i] - o[i]), advantage = a[i / length]
            if (ratio < low && advantage < 0) || (ratio > high && advantage > 0) { clipped += 1 }
        }
        return clipped / Swift.max(Double(m.reduce(0, +)), 1)
    }

    // MARK: Checkpoint

    private struct Progress: Codable {
        var stepsDone: Int
        var generator: RandomGenerator
        var epoch: EpochOrder
    }

    public func checkpoint() throws -> SafeTensors {
        var builder = CheckpointBuilder()
        builder.metadata["agent"] = Self.id
        builder.metadata["hyperparameters"] = settings.json
        try builder.add(json: policy.configuration, as: "gpt_configuration")
        builder.add(policy, as: "model")
        builder.add(reference, as: "reference")
        builder.add(optimizer, as: "optimizer")
        try builder.add(json: Progress(stepsDone: stepsDone, generator: generator, epoch: epoch), as: "progress")
        return builder.safeTensors
    }

    public func restore(from checkpoint: SafeTensors) throws {
        let reader = try CheckpointReader(checkpoint, agent: Self.id)
        try reader.load(policy, from: "model")
        try reader.load(reference, from: "reference")
        try reader.load(optimizer, from: "optimizer")
        let progress = try reader.json(Progress.self, "progress")
        guard progress.epoch.position >= 0 else { throw TrainingError.checkpoint("its progress record is out of range") }
        (stepsDone, generator, epoch) = (try reader.count(progress.stepsDone, "progress.steps_done"), progress.generator, progress.epoch)
        try ensureFiniteParameters(of: policy)
        try ensureFiniteParameters(of: reference)
    }
}
