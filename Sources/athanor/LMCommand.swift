import Agents
import ArgumentParser
import Foundation
import Random
import TinyLM
import Training

/// `athanor lm`: the tiny language model — pretrain it, fine-tune it with RL, score, sample and export it.
struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "The tiny GPT: pretrain on the addition task or a text file, RL fine-tuning with an exact-match reward, evaluation, sampling, export.",
        subcommands: [LMPretrain.self, LMReinforce.self, LMEval.self, LMSample.self, LMExport.self]
    )
}

/// The options every training command shares: where the run goes, and how it is reported.
struct LMRunOptions: ParsableArguments {
    @Option(help: "Seed (default 0).") var seed: UInt64?
    @Option(help: "Gradient steps at most (default: the settings' budget).") var steps: Int?
    @Option(name: .customLong("set"), help: "Setting name=value (repeatable).") var settings: [String] = []
    @Option(help: "Run directory (default: a new runs/lm-TRAINER_N).") var out: String?
    @Option(help: "Continue the run in this directory from its last checkpoint.") var resume: String?
    @Option(help: "Also checkpoint every N steps (default 0: only at the end).") var checkpointEvery: Int?
    @Flag(help: "Let --out replace the run a folder already holds.") var overwrite = false
    @Flag(help: "No progress line on stderr.") var quiet = false
    @Flag(help: "Print one JSON document.") var json = false

    func validate() throws {
        guard (1...Limits.steps).contains(steps ?? 1) else { throw ValidationError("--steps must be in 1…\(Limits.steps)") }
        guard (0...Limits.steps).contains(checkpointEvery ?? 0) else { throw ValidationError("--checkpoint-every must be in 0…\(Limits.steps)") }
        if overwrite && out == nil { throw ValidationError("--overwrite goes with --out DIR") }
        if resume != nil && (steps != nil || !settings.isEmpty || out != nil || seed != nil || checkpointEvery != nil) {
            throw ValidationError("--resume continues a run with its own settings; drop --steps, --set, --seed, --checkpoint-every and --out")
        }
    }

    func runDirectory(trainer: String) -> RunDirectory {
        if let out { return RunDirectory(out, overwrite: overwrite) }
        return RunDirectory.numbered(under: URL(fileURLWithPath: "runs"), prefix: "lm-\(trainer)_")
    }

    /// Trains (or resumes) through the library loop, then scores the model on the task's test set.
    func train(_ make: () throws -> any Trainable, kind: String) throws {
        let trainer: any Trainable, run: RunDirectory, every: Int
        if let resume {
            run = RunDirectory(resume)
            let configuration = try LanguageModels.configuration(of: run)
            guard (configuration.trainer == Pretraining.id) == (kind == Pretraining.id) else {
                throw UserError("\(resume) holds a \(configuration.trainer) run: continue it with athanor lm \(configuration.trainer == Pretraining.id ? "pretrain" : "rl") --resume \(resume)")
            }
            trainer = try LanguageModels.load(from: run)
            every = configuration.checkpointEvery
        } else {
            trainer = try make()
            run = runDirectory(trainer: kind)
            every = checkpointEvery ?? 0
        }
        let progress = ProgressLine(environment: "Addition", quiet: quiet)
        Interruption.install()
        let summary = try LanguageModels.learn(trainer, run: run, checkpointEvery: every, callbacks: [progress.callback])
        progress.finish()
        let model: GPT
        switch trainer {
        case let pretraining as Pretraining: model = pretraining.model
        case let grpo as GRPO: model = grpo.policy
        default: throw UserError("\(trainer.name) is not a language-model trainer")
        }
        var result: [String: Any] = ["trainer": trainer.name, "seed": trainer.seed, "steps": summary.steps,
                                     "wall_s": summary.wallSeconds, "run_dir": run.path]
        if let pretraining = trainer as? Pretraining {
            result["train_s"] = pretraining.trainSeconds
            result["tokens_per_s"] = pretraining.tokensPerSecond
            guard case .addition = pretraining.corpus.content else {
                if json { try printJSON(result) } else { print("pretrained \(summary.steps) steps on a text corpus; run directory: \(run.path)") }
                return
            }
        }
        let score = try model.exactMatch(on: AdditionSplits().test)
        result["test_overall"] = score.overall
        result["test_carry"] = score.carry
        result["test_clean"] = score.clean
        if json { return try printJSON(result) }
        print(String(format: "%@ (seed %llu): %d steps in %.1f s; test greedy exact match %.1f %% (carry %.1f %%, clean %.1f %%)",
                     trainer.name, trainer.seed, summary.steps, summary.wallSeconds, 100 * score.overall, 100 * score.carry, 100 * score.clean))
        print("run directory: \(run.path)")
    }
}

struct LMPretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain the GPT from scratch: --task addition (the noisy teacher's corpus, stop at 95 % clean) or --corpus FILE.txt.",
        discussion: """
            Settings (--set): learning_rate 1e-3, batch_size 64, weight_decay 0.01, adam_beta1, adam_beta2, eval_freq 250,
            target_clean 0.95, n_layer 4, n_head 4, n_embd 128, n_positions 32, n_timesteps 20000 (the anchor's pretrain.py).
            """
    )

    @Option(help: "The task whose corpus to learn (addition).") var task: String?
    @Option(help: "A UTF-8 text file to learn instead (bytes as tokens; the validation loss on its last tenth).") var corpus: String?
    @OptionGroup var options: LMRunOptions

    func validate() throws {
        if options.resume == nil {
            guard (task == nil) != (corpus == nil) else { throw ValidationError("give --task addition or --corpus FILE (one of them)") }
            if let task, task != "addition" { throw ValidationError("unknown task '\(task)'; tasks: addition") }
        } else if task != nil || corpus != nil {
            throw ValidationError("--resume continues a run with its own corpus; drop --task and --corpus")
        }
    }

    func run() throws {
        try options.train({
            var settings = PretrainingSettings()
            if let corpus { settings.corpus = corpus }
            settings = try settings.setting(options.settings)
            // The absolute path goes into config.json, so a resumed run finds the corpus from anywhere.
            if settings.corpus != "addition" { settings.corpus = URL(fileURLWithPath: settings.corpus).standardizedFileURL.path }
            return try Pretraining(settings: settings, seed: options.seed ?? 0, totalSteps: options.steps)
        }, kind: Pretraining.id)
    }
}

struct LMReinforce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rl",
        abstract: "RL fine-tuning of a pretrained GPT on the addition task with the exact-match reward: grpo, dr-grpo, rloo or reinforce.",
        discussion: """
            Settings (--set) in TRL's GRPOConfig names, defaults the anchor's: num_generations 8, per_device_train_batch_size 64,
            beta 0.04 (0 for reinforce), epsilon 0.2, epsilon_high, loss_type grpo (dr_grpo for dr-grpo; or dapo), num_iterations 1,
            temperature 1, top_k 0, top_p 1, max_completion_length 6, learning_rate 5e-5 (linear decay to 0), max_grad_norm 1,
            max_steps 300, prompts 20000, eval_freq 0 (greedy test exact match every N steps).
            """
    )

    @Option(help: "grpo (default), dr-grpo, rloo or reinforce.") var algo: String?
    @Option(help: "The model to start from: a pretraining run folder or a Hugging Face folder.") var model: String?
    @OptionGroup var options: LMRunOptions

    func validate() throws {
        if options.resume == nil {
            guard GRPOSettings.algorithms.contains(algo ?? "grpo") else {
                throw ValidationError("unknown algorithm '\(algo ?? "")'; algorithms: \(GRPOSettings.algorithms.joined(separator: ", "))")
            }
            guard model != nil else { throw ValidationError("--model is required: a pretraining run folder or a Hugging Face folder") }
            if options.settings.contains(where: { $0.hasPrefix("algo=") }) { throw ValidationError("choose the algorithm with --algo, not --set algo=") }
        } else if model != nil || algo != nil {
            throw ValidationError("--resume continues a run with its own model and algorithm; drop --model and --algo")
        }
    }

    func run() throws {
        try options.train({
            var settings = GRPOSettings.defaults(for: algo ?? "grpo")
            settings.model = URL(fileURLWithPath: model ?? "").standardizedFileURL.path
            settings = try settings.setting(options.settings)
            return try GRPO(settings: settings, model: LanguageModels.loadModel(settings.model), seed: options.seed ?? 0, totalSteps: options.steps)
        }, kind: algo ?? "grpo")
    }
}

struct LMEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a model on the addition task's 1,000 test problems: greedy exact match, and pass@1 / pass@n at temperature 1."
    )

    @Argument(help: "A language-model run folder or a Hugging Face folder.") var model: String
    @Option(help: "Samples per problem for pass@1 / pass@n.") var samples = 8
    @Option(help: "Seed of the sampling.") var seed: UInt64 = 1
    @Flag(help: "Print one JSON document.") var json = false

    func validate() throws {
        guard (1...256).contains(samples) else { throw ValidationError("--samples must be in 1…256") }
    }

    func run() throws {
        let gpt = try LanguageModels.loadModel(model)
        guard gpt.configuration.vocabularySize == CharacterTokenizer.addition.vocabularySize else {
            throw UserError("\(model) holds a byte-level model of \(gpt.configuration.vocabularySize) tokens; lm eval scores addition-task models (14 tokens)")
        }
        let test = AdditionSplits().test
        let report = try gpt.additionReport(on: test, samples: samples, seed: seed)
        if json { return try printJSONEncodable(report) }
        let g = report.greedy
        print(String(format: "greedy exact match %.1f %% [%.1f, %.1f] (carry %.1f %%, clean %.1f %%, forgotten carry %.1f %%) on %d test problems",
                     100 * g.overall, 100 * wilsonInterval(successes: Int((g.overall * Double(g.count)).rounded()), trials: g.count).lowerBound,
                     100 * wilsonInterval(successes: Int((g.overall * Double(g.count)).rounded()), trials: g.count).upperBound,
                     100 * g.carry, 100 * g.clean, 100 * g.carryForgottenRate, g.count))
        print(String(format: "T = 1, %d samples: carry pass@1 %.1f %%, pass@%d %.1f %%; clean pass@1 %.1f %%, pass@%d %.1f %%", samples,
                     100 * report.carrySamples.passAt1, samples, 100 * report.carrySamples.passAtN,
                     100 * report.cleanSamples.passAt1, samples, 100 * report.cleanSamples.passAtN))
    }
}

struct LMSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Complete prompts with a model and show each token's probability (and, on addition prompts, the reward)."
    )

    @Argument(help: "A language-model run folder or a Hugging Face folder.") var model: String
    @Option(help: "A prompt (repeatable); default: the first --count test problems.") var prompt: [String] = []
    @Option(help: "Test problems to complete when no --prompt is given.") var count = 8
    @Option(help: "Completions per prompt.") var samples = 1
    @Option(help: "Temperature (0: greedy).") var temperature: Float = 1
    @Option(help: "Keep the k most likely tokens (0: all).") var topK = 0
    @Option(help: "Keep the smallest set of tokens with this much probability (1: all).") var topP: Float = 1
    @Option(help: "New tokens at most.") var maxNewTokens = 6
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "Print one JSON document: {\"completions\": [{\"prompt\", \"tokens\", \"text\", \"probabilities\", \"reward\"}, …]}.") var json = false

    func validate() throws {
        guard (1...10_000).contains(count), (1...256).contains(samples) else { throw ValidationError("--count must be in 1…10000 and --samples in 1…256") }
    }

    func run() throws {
        let gpt = try LanguageModels.loadModel(model)
        let tokenizer: any Tokenizer = gpt.configuration.vocabularySize == CharacterTokenizer.addition.vocabularySize
            ? CharacterTokenizer.addition : ByteTokenizer()
        let problems = prompt.isEmpty ? Array(AdditionSplits().test.prefix(count)) : []
        let texts = prompt.isEmpty ? problems.map(\.prompt) : prompt
        let settings = SamplingSettings(temperature: temperature, topK: topK, topP: topP, maximumNewTokens: maxNewTokens, stopToken: tokenizer.endOfText)
        var generator = RandomGenerator(seed: seed)
        var records: [[String: Any]] = []
        for (i, text) in texts.enumerated() {
            let tokens = try tokenizer.encode(text)
            let completions = try gpt.generate(Array(repeating: tokens, count: samples), settings: settings, using: &generator)
            for completion in completions {
                let reward: Any = i < problems.count ? GRPO.reward(tokenizer.decode(completion.tokens), for: problems[i]) : NSNull()
                records.append(["prompt": text, "prompt_tokens": tokens, "tokens": completion.tokens, "text": tokenizer.decode(completion.tokens),
                                "probabilities": completion.probabilities.map(Double.init), "reward": reward])
                if json { continue }
                let pieces = zip(completion.tokens, completion.probabilities).map { token, p in
                    "\(tokenizer.decode([token]).debugDescription.dropFirst().dropLast())(\(String(format: "%.2f", p)))"
                }
                let rewardText = i < problems.count ? String(format: "  reward %.0f", GRPO.reward(tokenizer.decode(completion.tokens), for: problems[i])) : ""
                print("\(text.debugDescription.dropFirst().dropLast()) → \(pieces.joined(separator: " "))\(rewardText)")
            }
        }
        if json { try printJSON(["completions": records]) }
    }
}

struct LMExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model as Hugging Face's GPT-2 (config.json + model.safetensors) that transformers' GPT2LMHeadModel loads."
    )

    @Argument(help: "A language-model run folder or a Hugging Face folder.") var model: String
    @Option(help: "Format: hf.") var format = "hf"
    @Option(help: "The folder to write.") var out: String

    func validate() throws {
        guard format == "hf" else { throw ValidationError("unknown format '\(format)'; formats: hf") }
    }

    func run() throws {
        let gpt = try LanguageModels.loadModel(model)
        let tokenizer: any Tokenizer = gpt.configuration.vocabularySize == CharacterTokenizer.addition.vocabularySize
            ? CharacterTokenizer.addition : ByteTokenizer()
        try gpt.exportHuggingFace(to: URL(fileURLWithPath: out), tokenizer: tokenizer)
        print("wrote \(out)/config.json and \(out)/model.safetensors (\(gpt.parameterCount) parameters)")
    }
}
