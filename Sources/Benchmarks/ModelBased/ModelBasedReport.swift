import Agents
import Foundation
import NN

/// `Results/model-based/`: per environment, each agent's return against real steps (mean over
/// seeds with a 95 % bootstrap interval of the mean), PETS' trial table beside MBRL-Lib's, the
/// planner's speed against this machine's sgemm rate, a figure per environment and the runs as JSON.
public struct ModelBasedReport {
    public let runs: [ModelBasedRun]
    public let regime: ModelBasedBenchmark.Regime
    public let peer: [(seed: Int, trial: Int, reward: Double, planSecondsPerStep: Double)]
    public let peerSource: String
    /// One-thread sgemm 512³ GFLOP/s measured in the same run, the rate `learn`'s products get (nil: not measured).
    public let sgemmGFLOPS: Double?
    /// Ensemble rows evaluated per planned real step at the PETS settings run.
    public let planningRowsPerStep: Int?

    public init(runs: [ModelBasedRun], regime: ModelBasedBenchmark.Regime, peer: [(seed: Int, trial: Int, reward: Double, planSecondsPerStep: Double)],
                peerSource: String, sgemmGFLOPS: Double?, planningRowsPerStep: Int?) {
        (self.runs, self.regime, self.peer, self.peerSource, self.sgemmGFLOPS, self.planningRowsPerStep) =
            (runs, regime, peer, peerSource, sgemmGFLOPS, planningRowsPerStep)
    }

    static func f(_ x: Double, _ decimals: Int = 1) -> String {
        guard x.isFinite else { return "—" }
        let s = String(format: "%.\(decimals)f", x)
        return s.hasPrefix("-") ? "−" + s.dropFirst() : s
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// The 95 % percentile bootstrap interval of the mean over seeds.
    static func interval(_ values: [Double]) -> (low: Double, high: Double) { bootstrapInterval(strata: [values], seed: 7, statistic: mean) }

    static func meanAndInterval(_ values: [Double]) -> String {
        guard !values.isEmpty else { return "—" }
        guard values.count > 1 else { return f(mean(values)) }
        let ci = interval(values)
        return "\(f(mean(values))) [\(f(ci.low)), \(f(ci.high))]"
    }

    /// PETS' trial length: the agent's default, which hyperparams/pets.yml keeps on both tasks (MBRL-Lib's 200).
    static let trialLength = PETSHyperparameters().trialLength

    /// A run's trials (its episodes), less a last one that the real-step budget cut short: a trial shorter than 200
    /// steps that ends on the run's last step was stopped there (or ended on that very step), so its return does not
    /// measure the planner. PETS recorded such a trial as an episode in the runs made before `finishedEpisodesOnly`
    /// (it no longer does, and a newer run's short last trial really ended); the table leaves it out and says so.
    static func trials(_ run: ModelBasedRun) -> (steps: [Int], returns: [Double], cut: Double?) {
        let (steps, returns) = (run.episodeSteps, run.episodeReturns)
        guard run.finishedEpisodesOnly != true, let last = steps.last, last == run.steps,
              last - (steps.dropLast().last ?? 0) < trialLength else { return (steps, returns, nil) }
        return (Array(steps.dropLast()), Array(returns.dropLast()), returns.last)
    }

    /// A curve's points, aligned across seeds: evaluations at their steps, or trials by index (PETS).
    func curve(_ group: [ModelBasedRun]) -> (steps: [Double], values: [[Double]]) {
        let points = group.map { run in run.evaluationSteps.isEmpty ? Self.trials(run) : (steps: run.evaluationSteps, returns: run.evaluationReturns, cut: nil) }
        let length = points.map(\.steps.count).min() ?? 0
        let steps = (0..<length).map { i in points.map { Double($0.steps[i]) }.reduce(0, +) / Double(points.count) }
        let values = (0..<length).map { i in points.map { $0.returns[i] } }
        return (steps, values)
    }

    func groups(_ environment: String) -> [[ModelBasedRun]] {
        var order: [String] = []
        for run in runs where run.environment == environment && !order.contains(run.agent) { order.append(run.agent) }
        return order.map { agent in runs.filter { $0.environment == environment && $0.agent == agent } }
    }

    var environments: [String] {
        var order: [String] = []
        for run in runs where !order.contains(run.environment) { order.append(run.environment) }
        return order
    }

    /// Per agent: real steps, the best evaluation per seed and its mean, and the real steps each
    /// seed took to first reach the solved return — sample efficiency in one number.
    /// The return that counts as solved: 195 of CartPole's 200, −200 on Pendulum (the issue's PETS target).
    static let solvedReturn = ["CartPoleContinuous-v0": 195.0, "Pendulum-v1": -200.0]

    /// The real steps after which a run first scored `threshold` (an evaluation, or a PETS trial), nil if never.
    static func stepsToReach(_ threshold: Double, _ run: ModelBasedRun) -> Int? {
        let (steps, values, _) = run.evaluationSteps.isEmpty ? trials(run) : (run.evaluationSteps, run.evaluationReturns, nil)
        return zip(steps, values).first { $0.1 >= threshold }?.0
    }

    public func summaryTable(_ environment: String) -> String {
        let threshold = Self.solvedReturn[environment]
        var md = "| agent | real steps | best return per seed | mean [95 % CI] | real steps to \(threshold.map { Self.f($0, 0) } ?? "—") per seed | s / run |\n"
        md += "|---|---:|---|---:|---|---:|\n"
        for group in groups(environment) {
            let bests = group.map(\.best)
            let reached = threshold.map { t in group.map { Self.stepsToReach(t, $0).map(String.init) ?? "not reached" }.joined(separator: ", ") } ?? "—"
            md += "| \(group[0].agent) | \(group[0].steps) | \(bests.map { Self.f($0) }.joined(separator: ", ")) | \(Self.meanAndInterval(bests)) | \(reached) | "
            md += "\(Self.f(group.map(\.wallSeconds).reduce(0, +) / Double(group.count))) |\n"
        }
        return md
    }

    /// PETS' real return per trial, per seed, beside MBRL-Lib's. Trials are numbered as MBRL-Lib numbers them: the
    /// random trial that collects the first data is trial 0, the planned ones 1, 2, … (its example's "200 from trial 5").
    static let randomTrials = 1

    public func petsTable(_ environment: String = "CartPoleContinuous-v0") -> String? {
        guard let group = groups(environment).first(where: { $0[0].agent == "pets" }) else { return nil }
        let runs = group.map(Self.trials)
        let trials = runs.map(\.returns.count).max() ?? 0
        let cartPole = environment == "CartPoleContinuous-v0"
        let peer = cartPole ? self.peer : []  // MBRL-Lib's runs are on continuous CartPole
        let peerSeeds = Set(peer.map(\.seed)).sorted()
        let peerHeader = peerSeeds.isEmpty ? "MBRL-Lib (no run on this task)"
            : "MBRL-Lib 0.2.0 on this machine kind (seed \(peerSeeds.map(String.init).joined(separator: ", ")))"
        var md = "| trial | steps so far (mean) | return per seed | mean [95 % CI] | \(peerHeader) |\n"
        md += "|---:|---:|---|---:|---|\n"
        for t in 0..<trials {
            let returns = runs.compactMap { t < $0.returns.count ? $0.returns[t] : nil }
            let steps = runs.compactMap { t < $0.steps.count ? Double($0.steps[t]) : nil }
            let number = t - Self.randomTrials + 1
            let theirs = peer.filter { $0.trial == number }.map { Self.f($0.reward, 0) }
            md += "| \(number < 1 ? "\(number) (random)" : "\(number)") | \(Self.f(steps.reduce(0, +) / Double(Swift.max(steps.count, 1)), 0)) | "
            md += "\(returns.map { Self.f($0, 0) }.joined(separator: ", ")) | \(Self.meanAndInterval(returns)) | \(theirs.isEmpty ? "—" : theirs.joined(separator: ", ")) |\n"
        }
        let cut = zip(group, runs).compactMap { run, trials in trials.cut.map { "\(Self.f($0, 0)) (seed \(run.seed))" } }
        if !cut.isEmpty {
            md += "\nLeft out: the last trial of a seed when the \(group[0].steps)-step budget cut it short of \(Self.trialLength) steps — \(cut.joined(separator: ", ")).\n"
        }
        if cartPole {
            let solvedBy5 = runs.filter { $0.returns.prefix(Self.randomTrials + 5).contains { $0 >= 200 } }.count
            md += "\nSolved (a 200-step trial) by planned trial 5: \(solvedBy5) of \(group.count) seeds (the target: ≥ 4 of 5).\n"
        } else {
            let reached = runs.filter { $0.returns.prefix(Self.randomTrials + 10).contains { $0 >= -200 } }.count
            md += "\nA trial at −200 or better within 10 planned trials: \(reached) of \(group.count) seeds (the target: −200 within 10 trials).\n"
        }
        return md
    }

    /// MBPO against SAC on one environment, seed by seed: each seed's evaluations use the same starts for both
    /// agents (`20 000 + seed`), so the final evaluations compare the policies, not their luck with the starts.
    /// The issue's target, on Pendulum-v1: SAC's final return with at most a fifth of its real steps.
    public func mbpoAgainstSAC(_ environment: String) -> String? {
        let all = groups(environment)
        guard let mbpo = all.first(where: { $0[0].agent == "mbpo" }), let sac = all.first(where: { $0[0].agent == "sac" }) else { return nil }
        let pairs = mbpo.compactMap { m in sac.first { $0.seed == m.seed }.map { (m, $0) } }
            .filter { !$0.0.evaluationReturns.isEmpty && !$0.1.evaluationReturns.isEmpty }
        guard !pairs.isEmpty else { return nil }
        let mean = Self.mean
        let ours = pairs.map { $0.0.evaluationReturns.last ?? .nan }, theirs = pairs.map { $0.1.evaluationReturns.last ?? .nan }
        let differences = zip(ours, theirs).map { $0 - $1 }
        var md = "| seed | MBPO final (\(pairs[0].0.steps) real steps) | SAC final (\(pairs[0].1.steps)) | difference |\n|---:|---:|---:|---:|\n"
        for (i, pair) in pairs.enumerated() {
            md += "| \(pair.0.seed) | \(Self.f(ours[i])) | \(Self.f(theirs[i])) | \(Self.f(differences[i])) |\n"
        }
        let interval = Self.interval(differences)
        md += "| mean | \(Self.f(mean(ours))) | \(Self.f(mean(theirs))) | \(Self.f(mean(differences))) [\(Self.f(interval.low)), \(Self.f(interval.high))] |\n"
        let fraction = Double(pairs[0].0.steps) / Double(pairs[0].1.steps)
        md += "\nMBPO's final evaluation (10 deterministic episodes, the same starts as SAC's for each seed) with \(Self.f(fraction * 100, 0)) % of SAC's real steps: "
        md += "mean \(Self.f(mean(ours))) against SAC's final \(Self.f(mean(theirs))); the paired difference \(Self.f(mean(differences))), "
        md += "95 % bootstrap interval [\(Self.f(interval.low)), \(Self.f(interval.high))]"
        guard environment == "Pendulum-v1" else { return md + ".\n" }  // the issue sets its target there
        // "At SAC's final return": not measurably below it, seed for seed, on three seeds at least.
        let met = fraction <= 0.2 && pairs.count >= 3 && interval.high >= 0
        md += ". The target — SAC's final return with ≤ 1/5 of its real steps, read as: the paired difference's interval reaches 0 "
        md += "(MBPO not measurably below SAC), on ≥ 3 seeds — is " + (met ? "met" : "not met")
        return md + (met && mean(differences) < 0 ? " (at SAC's level, not above it: the mean is \(Self.f(-mean(differences))) lower).\n" : ".\n")
    }

    /// Planning seconds per real step, ours against MBRL-Lib's, and rows per second against sgemm.
    public func speedLines() -> String? {
        guard let group = groups("CartPoleContinuous-v0").first(where: { $0[0].agent == "pets" }), let rows = planningRowsPerStep else { return nil }
        // Every step after the random trial is planned; the wall time includes the model fits (a few seconds).
        let planned = group.map { run in Double(run.steps - (run.episodeSteps.first ?? 0)) }
        let seconds = zip(group, planned).map { run, steps in steps > 0 ? run.wallSeconds / steps : .nan }
        let ours = seconds.reduce(0, +) / Double(seconds.count)
        let theirs = peer.isEmpty ? Double.nan : peer.map(\.planSecondsPerStep).sorted()[peer.count / 2]
        let rowsPerSecond = Double(rows) / ours
        var text = "Planning: \(rows) ensemble rows per real step; \(Self.f(ours, 3)) s per planned step here (wall time of the whole run over its planned steps, "
        text += "model fits included), against MBRL-Lib's median \(Self.f(theirs, 2)) s (\(peerSource), the reference settings on this machine kind, 2 threads, "
        text += "not the same run): \(Self.f(theirs / ours, 1))× \(regime == .reference ? "at the same settings" : "— but this run used the reduced settings, so the ratio is not like for like").\n"
        text += "\(Self.f(rowsPerSecond / 1e6, 2)) M rows per second"
        if let sgemmGFLOPS { text += "; this machine's one-thread sgemm 512³ measured in the same run: \(Self.f(sgemmGFLOPS, 0)) GFLOP/s" }
        text += ".\nMBRL-Lib and ours at the same settings, one after the other: [planning-speed.md](../model-based/planning-speed.md) (`athanor bench model-based --planning-speed`)"
        return text + ".\n"
    }

    public func chart(_ environment: String) -> Chart {
        let series = groups(environment).map { group -> Chart.Series in
            let (steps, values) = curve(group)
            let means = values.map { $0.reduce(0, +) / Double($0.count) }
            return Chart.Series(name: group[0].agent.uppercased(), x: steps, y: means, band: (values.map { $0.min() ?? .nan }, values.map { $0.max() ?? .nan }))
        }
        return Chart(title: "\(environment): return against real environment steps", xLabel: "real environment steps", yLabel: "return",
                     series: series, caption: "Lines: mean over seeds (PETS: each trial's return; the others: 10 deterministic evaluation episodes); bands: worst to best seed.")
    }

    public func markdown() -> String {
        let seeds = Set(runs.map(\.seed)).count
        var md = "# Model-based RL: return against real environment steps\n\n\(Provenance.current.markdown)\n\n"
        md += "Regenerate: `athanor bench model-based --regime \(regime.rawValue) --seeds \(seeds)`. Agents use `--preset zoo` where "
        md += "hyperparams/ has an entry (pets.yml and mbpo.yml: MBRL-Lib's settings; sac.yml: the zoo's Pendulum-v1), their defaults otherwise"
        md += regime == .reduced ? "; the reduced regime plans PETS with 100 candidates, 5 particles and 64-unit layers, and gives MBPO on CartPole 2000 steps." : "."
        md += " Intervals: 95 % percentile bootstrap of the mean over seeds. Wall times are what each run took where it ran, "
        md += "often beside other runs on the same cores: they rank the agents' costs, they are not speed measurements (`athanor perf` is). "
        let intervals = ModelBasedBenchmark.entries(regime).compactMap { e in e.evaluateEvery.map { "\(e.agent) on \(e.environment) every \($0)" } }
        md += "Evaluations (10 deterministic episodes): \(intervals.joined(separator: ", ")) real steps; PETS is scored by its trials. "
        md += "\"Real steps to\" a return is the first evaluation (or trial) at or above it, so it is exact only to within that interval.\n\n"
        for environment in environments {
            md += "## \(environment)\n\n" + summaryTable(environment) + "\n![\(environment)](\(environment).svg)\n\n"
            if let comparison = mbpoAgainstSAC(environment) { md += "### MBPO against SAC\n\n" + comparison + "\n" }
            if let table = petsTable(environment) {
                md += "### PETS per trial\n\n" + table + "\n" + (environment == "CartPoleContinuous-v0" ? speedLines() ?? "" : "") + "\n"
            }
        }
        md += "Reference (`../shared/reference/published.md`): MBRL-Lib's PETS example reaches trial returns ≈ 41, 55, 116, 186, then 200 from trial 5.\n"
        return md
    }

    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeAtomically(Data(markdown().utf8), to: folder.appendingPathComponent("index.md"))
        for environment in environments {
            try writeAtomically(Data(chart(environment).svg().utf8), to: folder.appendingPathComponent("\(environment).svg"))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try writeAtomically(Data(runs.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n").utf8 + [10]),
                            to: folder.appendingPathComponent("runs.jsonl"))
    }
}
