import Agents
import Foundation
import TinyLM
import Training

/// `athanor bench lm`: the tiny GPT pretrained once on the noisy teacher's corpus (the anchor's settings and
/// stop rule), then RL fine-tuned from it on several seeds; held-out exact match before and after. With the
/// anchors' Python environment, its plain-torch pretraining and TRL's and plain torch's GRPO (seed 0) run
/// in the same invocation for the speed ratios.
public enum LMBenchmark {
    /// What the pretraining did and how good the model it made is.
    public struct Pretrained: Codable, Sendable {
        public var steps: Int
        public var reachedTarget: Bool
        public var trainSeconds: Double
        public var tokensPerSecond: Double
        public var lastLoss: Double
        public var test: AdditionReport
    }

    /// One RL run from the pretrained model.
    public struct RLRun: Codable, Sendable {
        public var algo: String
        public var seed: UInt64
        public var steps: Int
        public var secondsPerStep: Double
        public var after: AdditionReport
        /// Mean reward of each step's completions.
        public var rewards: [Double]
    }

    /// The anchors' figures measured in the same invocation (nil where one did not run).
    public struct AnchorTimings: Codable, Sendable {
        public var pretrainTokensPerSecond: Double?
        public var pretrainSteps: Int?
        public var trlSecondsPerStep: Double?
        public var torchSecondsPerStep: Double?
        public var trlAfterOverall: Double?
        public var torchAfterOverall: Double?
    }

    public struct Results: Codable, Sendable {
        public var pretrained: Pretrained
        public var runs: [RLRun]
        public var anchors: AnchorTimings?
        /// The anchor's own pretrained model scored by us, and our RL runs from it (the like-for-like comparison).
        public var anchorPretrained: AdditionReport?
        public var runsFromAnchorModel: [RLRun]

        public init(pretrained: Pretrained, runs: [RLRun], anchors: AnchorTimings?, anchorPretrained: AdditionReport? = nil,
                    runsFromAnchorModel: [RLRun] = []) {
            (self.pretrained, self.runs, self.anchors, self.anchorPretrained, self.runsFromAnchorModel) =
                (pretrained, runs, anchors, anchorPretrained, runsFromAnchorModel)
        }
    }

    /// Pretrains the anchor's model (seed 0, the anchor's settings and stop rule).
    public static func pretrain(seed: UInt64 = 0, log: @escaping (String) -> Void) throws -> (model: GPT, result: Pretrained) {
        let trainer = try Pretraining(settings: PretrainingSettings(), seed: seed)
        var lastLoss = Double.nan
        let watch = MetricWatcher { iteration in
            lastLoss = iteration.report.metrics.first { $0.name == "losses/last_loss" }?.value ?? lastLoss
            let clean = iteration.report.metrics.first { $0.name == "val/clean" }?.value ?? .nan
            if clean.isFinite { log(String(format: "pretraining: step %d loss %.4f val clean %.3f", iteration.agent.stepsDone, lastLoss, clean)) }
        }
        try LanguageModels.learn(trainer, callbacks: [watch])
        let test = try trainer.model.additionReport(on: AdditionSplits().test)
        return (trainer.model, Pretrained(steps: trainer.stepsDone, reachedTarget: trainer.isFinished, trainSeconds: trainer.trainSeconds,
                                          tokensPerSecond: trainer.tokensPerSecond, lastLoss: lastLoss, test: test))
    }

    /// RL from `model` (copied: each seed starts from the same weights) for `steps` steps of the anchor's settings.
    public static func reinforce(_ model: GPT, algo: String = "grpo", seed: UInt64, steps: Int = 300) throws -> RLRun {
        var settings = GRPOSettings.defaults(for: algo)
        settings.maxSteps = steps
        let trainer = try GRPO(settings: settings, model: model.copy(), seed: seed)
        var rewards: [Double] = []
        let watch = MetricWatcher { iteration in rewards.append(iteration.report.metrics.first { $0.name == "charts/reward" }?.value ?? .nan) }
        let summary = try LanguageModels.learn(trainer, callbacks: [watch])
        return RLRun(algo: algo, seed: seed, steps: summary.steps, secondsPerStep: summary.wallSeconds / Double(Swift.max(summary.steps, 1)),
                     after: try trainer.policy.additionReport(on: AdditionSplits().test), rewards: rewards)
    }

    /// Runs the anchors' pretrain.py, grpo_trl.py and grpo_torch.py (seed 0) with `python` in `scratch` and
    /// reads their result files; an anchor that fails is left out, with its reason logged. The anchor's
    /// pretrained model stays in `scratch/ckpt/pretrained` (a Hugging Face folder).
    public static func measureAnchors(folder: URL, python: String, scratch: URL, log: (String) -> Void) -> AnchorTimings {
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        func run(_ script: String, _ arguments: [String]) -> [String: Any]? {
            log("anchor: \(script) \(arguments.joined(separator: " "))")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [folder.appendingPathComponent(script).path] + arguments
            process.currentDirectoryURL = folder
            var environment = ProcessInfo.processInfo.environment
            for (key, value) in ["ANCHOR_OUT": scratch.path, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
                                 "OMP_WAIT_POLICY": "PASSIVE"] { environment[key] = value }
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { log("anchor \(script) did not start: \(error)"); return nil }
            // Each anchor takes 1–2 minutes here; one that hangs is stopped after half an hour and left out.
            let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
            DispatchQueue.global().asyncAfter(deadline: .now() + 1800, execute: watchdog)
            process.waitUntilExit()
            watchdog.cancel()
            guard process.terminationReason == .exit, process.terminationStatus == 0 else {
                log("anchor \(script) \(process.terminationReason == .exit ? "exited with \(process.terminationStatus)" : "was stopped")")
                return nil
            }
            let tag = arguments.firstIndex(of: "--tag").map { arguments[$0 + 1] }
            let file = scratch.appendingPathComponent("results").appendingPathComponent(tag.map { "grpo_\($0).json" } ?? "pretrain.json")
            return (try? Data(contentsOf: file)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
        func overall(_ result: [String: Any]?) -> Double? {
            ((result?["after"] as? [String: Any])?["greedy"] as? [String: Any])?["overall"] as? Double
        }
        let pretrain = run("pretrain.py", [])
        let trl = pretrain == nil ? nil : run("grpo_trl.py", ["--tag", "trl_s0", "--seed", "0"])
        let torch = pretrain == nil ? nil : run("grpo_torch.py", ["--tag", "torch_s0", "--seed", "0"])
        return AnchorTimings(pretrainTokensPerSecond: pretrain?["tokens_per_s_padded"] as? Double, pretrainSteps: pretrain?["steps"] as? Int,
                             trlSecondsPerStep: trl?["s_per_step_mean"] as? Double, torchSecondsPerStep: torch?["s_per_step_mean"] as? Double,
                             trlAfterOverall: overall(trl), torchAfterOverall: overall(torch))
    }
}

/// A callback that hands each iteration to a closure (the bench's curves and progress lines).
final class MetricWatcher: TrainingCallback {
    let body: (Iteration) -> Void
    init(_ body: @escaping (Iteration) -> Void) { self.body = body }
    func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)] {
        body(iteration)
        return []
    }
}
