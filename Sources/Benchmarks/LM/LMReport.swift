import Foundation
import NN
import TinyLM

/// The peer's runs as the anchor recorded them (`../shared/anchors/llm/results/*.json`, this machine kind).
public struct LMPeerRun: Sendable {
    public var implementation: String   // "TRL GRPOTrainer" or "plain torch"
    public var seed: Int
    public var secondsPerStep: Double
    public var before: (overall: Double, carry: Double, clean: Double)
    public var after: (overall: Double, carry: Double, clean: Double, forgotten: Double, carryPass1: Double, carryPass8: Double)
    /// (step, mean reward) as logged.
    public var rewards: [(step: Int, reward: Double)]

    /// Reads grpo_trl_s*.json and grpo_torch_s*.json from the anchor's results folder (those started from its
    /// 750-step pretrained model, as ours is).
    public static func load(from folder: URL) -> [LMPeerRun] {
        var runs: [LMPeerRun] = []
        for (prefix, name) in [("grpo_trl_s", "TRL GRPOTrainer"), ("grpo_torch_s", "plain torch")] {
            for seed in 0..<10 {
                guard let data = try? Data(contentsOf: folder.appendingPathComponent("\(prefix)\(seed).json")),
                      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      let before = (object["before"] as? [String: Any])?["greedy"] as? [String: Any],
                      let afterAll = object["after"] as? [String: Any], let after = afterAll["greedy"] as? [String: Any],
                      let carrySamples = afterAll["pass_at_8_carry"] as? [String: Any] else { continue }
                func d(_ o: [String: Any], _ k: String) -> Double { o[k] as? Double ?? .nan }
                let log = (object["log_history"] as? [[String: Any]]) ?? (object["log"] as? [[String: Any]]) ?? []
                let rewards = log.compactMap { entry -> (Int, Double)? in
                    guard let step = entry["step"] as? Int, let reward = entry["reward"] as? Double else { return nil }
                    return (step, reward)
                }
                runs.append(LMPeerRun(implementation: name, seed: seed, secondsPerStep: d(object, "s_per_step_mean"),
                                      before: (d(before, "overall"), d(before, "carry"), d(before, "clean")),
                                      after: (d(after, "overall"), d(after, "carry"), d(after, "clean"), d(after, "carry_forgot_rate"),
                                              d(carrySamples, "pass1"), d(carrySamples, "passn")),
                                      rewards: rewards))
            }
        }
        return runs
    }
}

/// `Results/lm/`: the tables, the reward curve and the raw results.
public struct LMReport {
    public let results: LMBenchmark.Results
    public let peer: [LMPeerRun]
    public let peerSource: String
    /// The peer's pretraining as recorded (tokens/s, steps, test overall/carry/clean).
    public let peerPretraining: (tokensPerSecond: Double, steps: Int, overall: Double, carry: Double, clean: Double)?

    public init(results: LMBenchmark.Results, peerFolder: URL) {
        self.results = results
        peer = LMPeerRun.load(from: peerFolder)
        peerSource = "`\(peerFolder.path)`"
        if let data = try? Data(contentsOf: peerFolder.appendingPathComponent("pretrain.json")),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let test = object["test_greedy"] as? [String: Any] {
            peerPretraining = (object["tokens_per_s_padded"] as? Double ?? .nan, object["steps"] as? Int ?? 0,
                               test["overall"] as? Double ?? .nan, test["carry"] as? Double ?? .nan, test["clean"] as? Double ?? .nan)
        } else {
            peerPretraining = nil
        }
    }

    static func p(_ x: Double) -> String { x.isFinite ? String(format: "%.1f", 100 * x) : "—" }
    static func f(_ x: Double, _ digits: Int = 3) -> String { x.isFinite ? String(format: "%.\(digits)f", x) : "—" }

    /// "67.3 [64.3, 70.1]": a rate in percent with its 95 % Wilson interval.
    static func withInterval(_ rate: Double, _ n: Int) -> String {
        let interval = wilsonInterval(successes: Int((rate * Double(n)).rounded()), trials: n)
        return "\(p(rate)) [\(p(interval.lowerBound)), \(p(interval.upperBound))]"
    }

    public func markdown() -> String {
        let pre = results.pretrained, g = pre.test.greedy
        var md = "# The tiny GPT: pretraining, then RL with a verifiable reward\n\n\(Provenance.current.markdown)\n\n"
        let steps = results.runs.first?.steps ?? 300, algo = results.runs.first?.algo ?? "grpo"
        md += "Regenerate: `athanor bench lm --seeds \(Set(results.runs.map(\.seed)).count) --steps \(steps)\(algo == "grpo" ? "" : " --algo \(algo)")"
        md += results.anchors == nil ? "`" : " --anchors ../shared/anchors/llm --python ~/.venvs/anchors/bin/python`"
        md += ". Task, model and settings: `../shared/anchors/llm/README.md` (3-digit addition with reversed answers, a teacher that "
        md += "forgets the tens→hundreds carry half the time, a 4-layer 128-wide GPT-2 of 799,232 parameters; AdamW 1e-3 batch 64 until the "
        md += "validation set's clean subset reaches 95 %; then \(algo) with TRL's GRPOConfig of the anchor: 8 prompts × 8 completions, β 0.04, "
        md += "ε 0.2, lr 5e-5 decaying linearly, \(steps) steps). Test set: 1,000 problems (496 carry, 504 clean); greedy exact match with 95 % "
        md += "Wilson intervals; pass@1 / pass@8 from 8 samples at T = 1.\n\n"

        md += "## Pretraining\n\n| | steps | stopped by the rule | train s | tokens/s | greedy overall | carry | clean | forgotten carry | carry pass@1 / pass@8 | clean pass@1 / pass@8 |\n"
        md += "|---|---|---|---|---|---|---|---|---|---|---|\n"
        md += "| Athanor | \(pre.steps) | \(pre.reachedTarget ? "yes" : "no") | \(Self.f(pre.trainSeconds, 1)) | \(Self.f(pre.tokensPerSecond, 0)) | "
        md += "\(Self.withInterval(g.overall, g.count)) | \(Self.withInterval(g.carry, g.carryCount)) | \(Self.withInterval(g.clean, g.cleanCount)) | "
        md += "\(Self.p(g.carryForgottenRate)) | \(Self.p(pre.test.carrySamples.passAt1)) / \(Self.p(pre.test.carrySamples.passAtN)) | "
        md += "\(Self.p(pre.test.cleanSamples.passAt1)) / \(Self.p(pre.test.cleanSamples.passAtN)) |\n"
        if let peerPretraining {
            md += "| plain PyTorch (anchor's table) | \(peerPretraining.steps) | yes | | \(Self.f(peerPretraining.tokensPerSecond, 0)) | "
            md += "\(Self.p(peerPretraining.overall)) | \(Self.p(peerPretraining.carry)) | \(Self.p(peerPretraining.clean)) | | | |\n"
        }
        md += "\nTokens/s counts every input token of a batch (64 × 12, padding included, as the anchor's `tokens_per_s_padded`) over the "
        md += "seconds of gradient steps (validations excluded).\n\n"

        md += "## RL fine-tuning (\(steps) steps × 64 completions)\n\n| run | seed | s/step | greedy overall before → after | carry | clean | "
        md += "forgotten carry after | carry pass@1 / pass@8 after | reward first 10 → last 10 steps |\n|---|---|---|---|---|---|---|---|---|\n"
        func rows(_ runs: [LMBenchmark.RLRun], from start: ExactMatch, _ label: String) -> String {
            var md = ""
            for run in runs {
                let a = run.after.greedy
                md += "| Athanor \(run.algo), \(label) | \(run.seed) | \(Self.f(run.secondsPerStep)) | \(Self.p(start.overall)) → \(Self.withInterval(a.overall, a.count)) | "
                md += "\(Self.p(start.carry)) → \(Self.withInterval(a.carry, a.carryCount)) | \(Self.p(start.clean)) → \(Self.withInterval(a.clean, a.cleanCount)) | "
                md += "\(Self.p(a.carryForgottenRate)) | \(Self.p(run.after.carrySamples.passAt1)) / \(Self.p(run.after.carrySamples.passAtN)) | "
                md += "\(Self.f(mean(run.rewards.prefix(10)))) → \(Self.f(mean(run.rewards.suffix(10)))) |\n"
            }
            return md
        }
        md += rows(results.runs, from: g, "from our pretraining")
        if let theirs = results.anchorPretrained { md += rows(results.runsFromAnchorModel, from: theirs.greedy, "from the anchor's weights") }
        for run in peer {
            md += "| \(run.implementation) (anchor's table) | \(run.seed) | \(Self.f(run.secondsPerStep)) | \(Self.p(run.before.overall)) → \(Self.p(run.after.overall)) | "
            md += "\(Self.p(run.before.carry)) → \(Self.p(run.after.carry)) | \(Self.p(run.before.clean)) → \(Self.p(run.after.clean)) | "
            md += "\(Self.p(run.after.forgotten)) | \(Self.p(run.after.carryPass1)) / \(Self.p(run.after.carryPass8)) | |\n"
        }
        md += "\nThe peer rows are the anchor's recorded runs (\(peerSource), this machine kind, 2 threads, not this invocation), which start from "
        if let before = peer.first?.before { md += "the anchor's pretrained model (\(Self.p(before.overall)) % overall, \(Self.p(before.carry)) % carry). " }
        if let theirs = results.anchorPretrained {
            md += "The rows \"from the anchor's weights\" are our GRPO started from that very model, which `pretrain.py` wrote in this invocation "
            md += "and our Hugging Face loader read (we score it \(Self.p(theirs.greedy.overall)) % overall, \(Self.p(theirs.greedy.carry)) % carry, "
            md += "\(Self.p(theirs.greedy.clean)) % clean, carry pass@1 / pass@8 \(Self.p(theirs.carrySamples.passAt1)) / \(Self.p(theirs.carrySamples.passAtN))): "
            md += "the like-for-like comparison of the RL step. "
        }
        md += "Ours from our own pretraining start from a model pretrained for \(pre.steps) steps (the same stop rule; its plateau before the "
        md += "carry-free problems click lasted longer), which is sharper on the clean subset.\n\n"

        md += "## Speed\n\n"
        let ours = results.runs.map(\.secondsPerStep)
        let ourStep = mean(ours[...])
        if let anchors = results.anchors {
            md += "Measured in this invocation, one after the other on the same machine (seed 0 for the peers):\n\n| | Athanor | plain PyTorch | TRL | ratio |\n|---|---|---|---|---|\n"
            if let theirs = anchors.pretrainTokensPerSecond {
                md += "| pretraining tokens/s | \(Self.f(pre.tokensPerSecond, 0)) | \(Self.f(theirs, 0)) | | \(Self.f(pre.tokensPerSecond / theirs, 2))× |\n"
            }
            if let trl = anchors.trlSecondsPerStep {
                md += "| GRPO s/step | \(Self.f(ourStep)) | \(anchors.torchSecondsPerStep.map { Self.f($0) } ?? "—") | \(Self.f(trl)) | \(Self.f(trl / ourStep, 2))× TRL"
                md += anchors.torchSecondsPerStep.map { ", \(Self.f($0 / ourStep, 2))× plain torch" } ?? ""
                md += " |\n"
            }
            if let trl = anchors.trlAfterOverall { md += "\nTRL's seed 0 in this invocation ended at \(Self.p(trl)) % greedy overall" }
            if let torch = anchors.torchAfterOverall { md += ", plain torch's at \(Self.p(torch)) %" }
            md += anchors.trlAfterOverall == nil ? "\n" : ".\n"
        } else {
            let trl = peer.filter { $0.implementation.hasPrefix("TRL") }.map(\.secondsPerStep)
            md += "Not measured side by side in this invocation (no `--anchors`): against the anchor's recorded TRL steps (\(trl.map { Self.f($0) }.joined(separator: ", ")) s) "
            md += "ours are \(Self.f(mean(trl[...]) / ourStep, 2))× faster per step, a ratio across runs, not a same-run measurement.\n"
        }
        md += "\nA GRPO step is sampling 64 completions (≤ 6 tokens, KV cache), one reference forward, and one forward and backward "
        md += "of the policy on 64 × ≤ 14 tokens, then AdamW.\n\n![reward](reward.svg)\n"
        return md
    }

    public func chart() -> Chart {
        var series: [Chart.Series] = []
        let ours = results.runs
        if let length = ours.map(\.rewards.count).min(), length > 0 {
            // Mean over seeds of a 10-step moving average, as TRL logs every 10 steps.
            let smoothed = ours.map { run in (0..<length).map { i in mean(run.rewards[Swift.max(0, i - 9)...i]) } }
            let means = (0..<length).map { i in mean(smoothed.map { $0[i] }[...]) }
            series.append(Chart.Series(name: "Athanor \(ours[0].algo) (\(ours.count) seeds)", x: (1...length).map(Double.init), y: means,
                                       band: ((0..<length).map { i in smoothed.map { $0[i] }.min() ?? .nan },
                                              (0..<length).map { i in smoothed.map { $0[i] }.max() ?? .nan })))
        }
        for implementation in ["TRL GRPOTrainer"] {
            let runs = peer.filter { $0.implementation == implementation && !$0.rewards.isEmpty }
            guard let first = runs.first else { continue }
            let steps = first.rewards.map(\.step)
            let means = steps.indices.map { i in mean(runs.compactMap { $0.rewards.count > i ? $0.rewards[i].reward : nil }[...]) }
            series.append(Chart.Series(name: "\(implementation) (\(runs.count) seeds, anchor's table)", x: steps.map(Double.init), y: means))
        }
        var chart = Chart(title: "GRPO on 3-digit addition: mean reward of each step's 64 completions", xLabel: "RL steps", yLabel: "reward (exact match)",
                          series: series, caption: "Athanor: 10-step moving average, mean over seeds, band worst to best seed; TRL: its logged 10-step means.")
        chart.yRange = 0...1
        return chart
    }

    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeAtomically(Data(markdown().utf8), to: folder.appendingPathComponent("index.md"))
        try writeAtomically(Data(chart().svg().utf8), to: folder.appendingPathComponent("reward.svg"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try writeAtomically(encoder.encode(results), to: folder.appendingPathComponent("results.json"))
    }
}

private func mean<C: Collection>(_ values: C) -> Double where C.Element == Double {
    values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
}
