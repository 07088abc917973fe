import Agents
import Foundation
import NN
import RL
import Training

/// The classic-control table: one row per entry, aggregates per agent, files for Results/.
public struct ClassicReport {
    struct Row {
        let entry: ClassicEntry
        let runs: [ClassicRun]
        /// Stable-Baselines3 on the same settings and (some of) the same seeds.
        var peers: [ClassicPeerRun] = []
        /// SB3's learn() time over ours, seed by seed, averaged (nil without peers).
        var peerTimeRatio: Double? {
            let ratios = peers.compactMap { peer in runs.first { $0.seed == peer.seed }.map { peer.learnSeconds / $0.wallSeconds } }
            return ratios.isEmpty ? nil : ratios.reduce(0, +) / Double(ratios.count)
        }
        var peerText: String {
            guard let ratio = peerTimeRatio else { return "— | —" }
            let seconds = peers.map(\.learnSeconds).reduce(0, +) / Double(peers.count)
            let scores = peers.map { String(format: "%.1f", $0.evalMean) }.joined(separator: ", ")
            return String(format: "%.1f s, final %@ (%d seed%@) | %.1f×", seconds, scores, peers.count, peers.count == 1 ? "" : "s", ratio)
        }
        /// The final policies' scores, one per seed.
        var scores: [Double] { runs.map(\.evalMean) }
        /// The best models' scores, one per seed.
        var bestScores: [Double] { runs.map(\.bestMean) }
        var mean: Double { scores.mean }
        var std: Double { scores.standardDeviation }
        var bestMean: Double { bestScores.mean }
        var bestStd: Double { bestScores.standardDeviation }
        var iqm: Double { interquartileMean(scores) }
        var interval: (low: Double, high: Double) { bootstrapInterval(strata: [scores], seed: 7) }
        var bestIQM: Double { interquartileMean(bestScores) }
        var bestInterval: (low: Double, high: Double) { bootstrapInterval(strata: [bestScores], seed: 7) }
        var wall: Double { runs.map(\.wallSeconds).reduce(0, +) / Double(runs.count) }
        var stepsPerSecond: Double { Double(runs.map(\.steps).reduce(0, +)) / runs.map(\.wallSeconds).reduce(0, +) }
        var met: Bool? {
            switch entry.target {
            case .finalMean(let x): mean >= x
            case .bestOnEverySeed(let x): bestScores.allSatisfy { $0 >= x }
            case .bestMean(let x): bestMean >= x
            case nil: nil
            }
        }
        var targetText: String {
            switch entry.target {
            case .finalMean(let x): String(format: "final ≥ %.1f", x)
            case .bestOnEverySeed(let x): String(format: "best ≥ %.1f every seed", x)
            case .bestMean(let x): String(format: "best mean ≥ %.1f", x)
            case nil: "—"
            }
        }


        var json: [String: Any] {
            ["env": entry.env, "agent": entry.agent, "seeds": runs.count, "steps": runs.first?.steps ?? 0,
             "mean": mean, "std": std, "iqm": iqm, "iqm_ci95": [interval.low, interval.high],
             "best_mean": bestMean, "best_std": bestStd, "best_iqm": bestIQM, "best_iqm_ci95": [bestInterval.low, bestInterval.high],
             "published_mean": entry.published?.mean ?? NSNull(), "published_std": entry.published?.std ?? NSNull(),
             "target": targetText, "target_met": met ?? NSNull(),
             "wall_s_per_run": wall, "steps_per_s": stepsPerSecond,
             "sb3_learn_s": peers.map(\.learnSeconds), "sb3_eval_mean": peers.map(\.evalMean), "sb3_time_ratio": peerTimeRatio ?? NSNull()]
        }
    }

    /// Per agent: IQM of best-model scores (the zoo's protocol) normalised to (score − random) / (published − random) over all
    /// its runs on entries with a published figure, with a bootstrap interval stratified by task.
    struct Aggregate {
        let agent: String
        let tasks: Int
        let iqm: Double
        let interval: (low: Double, high: Double)
        var json: [String: Any] { ["agent": agent, "tasks": tasks, "normalised_iqm": iqm, "ci95": [interval.low, interval.high]] }
    }

    let rows: [Row]
    let aggregates: [Aggregate]
    let randomScores: [String: Double]
    let quick: Bool
    let seeds: Int

    public init(entries: [ClassicEntry], runs: [ClassicRun], randomScores: [String: Double], quick: Bool, seeds: Int,
                peers: [ClassicPeerRun] = []) {
        rows = entries.map { e in
            Row(entry: e, runs: runs.filter { $0.env == e.env && $0.agent == e.agent },
                peers: peers.filter { $0.env == e.env && $0.agent == e.agent })
        }.filter { !$0.runs.isEmpty }
        var aggregates: [Aggregate] = []
        for agent in Array(Set(rows.map(\.entry.agent))).sorted() {
            let strata = rows.filter { $0.entry.agent == agent }.compactMap { row -> [Double]? in
                guard let published = row.entry.published?.mean, let random = randomScores[row.entry.env],
                      published != random else { return nil }
                return row.bestScores.map { ($0 - random) / (published - random) }
            }
            guard !strata.isEmpty else { continue }
            aggregates.append(Aggregate(agent: agent, tasks: strata.count, iqm: interquartileMean(strata.flatMap { $0 }),
                                        interval: bootstrapInterval(strata: strata, seed: 11)))
        }
        self.aggregates = aggregates
        self.randomScores = randomScores
        self.quick = quick
        self.seeds = seeds
    }

    public func markdownTable() -> String {
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        var md = "| env | agent | steps | seeds | final (mean ± std over seeds) | final IQM [95 % CI] | best (mean ± std) | best IQM [95 % CI] | zoo published | target | met | wall s / run | steps/s | SB3 same settings: learn s, final | SB3 time ÷ ours |\n"
        md += "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|\n"
        for r in rows {
            let published = r.entry.published.map { "\(f($0.mean)) ± \(f($0.std))" } ?? "—"
            let met = r.met.map { $0 ? "yes" : "**no**" } ?? "—"
            md += "| \(r.entry.env) | \(r.entry.agent) | \(r.runs.first?.steps ?? 0) | \(r.runs.count) | \(f(r.mean)) ± \(f(r.std)) | "
            md += "\(f(r.iqm)) [\(f(r.interval.low)), \(f(r.interval.high))] | \(f(r.bestMean)) ± \(f(r.bestStd)) | "
            md += "\(f(r.bestIQM)) [\(f(r.bestInterval.low)), \(f(r.bestInterval.high))] | \(published) | \(r.targetText) | \(met) | "
            md += String(format: "%.2f | %.0f | ", r.wall, r.stepsPerSecond) + r.peerText + " |\n"
        }
        if !aggregates.isEmpty {
            md += "\n| agent | tasks | normalised IQM [95 % CI] |\n|---|---:|---:|\n"
            for a in aggregates { md += String(format: "| %@ | %d | %.3f [%.3f, %.3f] |\n", a.agent, a.tasks, a.iqm, a.interval.low, a.interval.high) }
        }
        return md
    }

    /// Every run, the rows and the aggregates, as `bench classic --json` prints them.
    public var json: [String: Any] {
        ["rows": rows.map(\.json), "aggregates": aggregates.map(\.json),
         "runs": rows.flatMap(\.runs).map { ["env": $0.env, "agent": $0.agent, "seed": $0.seed, "steps": $0.steps,
                                               "wall_s": $0.wallSeconds, "eval_mean": $0.evalMean, "eval_std": $0.evalStd,
                                               "best_mean": $0.bestMean, "best_std": $0.bestStd, "best_steps": $0.bestSteps] as [String: Any] },
         "machine": Provenance.current.json]
    }

    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var md = "# Classic control: deep agents against rl-baselines3-zoo\n\n\(Provenance.current.markdown)\n\n"
        md += "Regenerate: `athanor bench classic\(quick ? " --quick" : "")` (\(seeds) seeds per entry, `--preset zoo`, "
        md += "the zoo's timestep budgets). Score: mean return of 20 deterministic episodes on a fresh environment "
        md += "seeded 10 000 + seed, with Gymnasium's time limits, of the *final* policy and of the *best* model: the zoo's "
        md += "protocol (its EvalCallback) evaluates every budget/\(ClassicEntry.evaluationsPerRun) steps "
        md += "(\(ClassicEntry.episodesPerEvaluation) deterministic episodes on an environment seeded 20 000 + seed) and keeps "
        md += "the best; that model is then scored on the final policy's episodes. *zoo published*: rl-baselines3-zoo "
        md += "`benchmark.md` (one trained agent each, its best model, deterministic evaluation). IQM and its interval: rliable's interquartile mean "
        md += "with a 2000-sample bootstrap. The normalised aggregate scales each best-model score to (score − random) / (zoo − random), "
        md += "random being uniformly random actions measured in the same run "
        md += randomScores.sorted { $0.key < $1.key }.map { "\($0.key) \(String(format: "%.1f", $0.value))" }.joined(separator: ", ")
        md += ".\n\nNot tuned by hand: every figure is what the command printed. Pendulum-v1/ppo: the zoo's entry uses gSDE, "
        md += "which only SAC has here; we run its other settings with a plain state-independent Gaussian. *SB3 same settings*: "
        md += "Stable-Baselines3 trained on the same seed right after ours (`--anchors`), PyTorch on one thread, by the anchors' "
        md += "`sb3_train.py` on Pendulum-v1 and by `scripts/sb3_zoo_peer.py` (which reads our hyperparams/ file) on "
        md += "MountainCarContinuous-v0; its time is `learn()` alone, ours the whole training loop with its 20 periodic evaluations. "
        md += "MountainCarContinuous-v0: SAC with the zoo's gSDE entry (5·10⁴ steps), TD3 and DDPG with its 3·10⁵ steps and "
        md += "Ornstein–Uhlenbeck noise.\n\n"
        md += markdownTable()
        md += "\nLearning curves (mean over seeds of the last-100-episode training return): "
        md += Array(Set(rows.map(\.entry.env))).sorted().map { "[\($0)](\($0).svg)" }.joined(separator: ", ") + ".\n"
        try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("index.md"))

        var csv = "env,agent,seed,steps,wall_s,steps_per_s,eval_mean,eval_std,best_mean,best_std,best_steps\n"
        for r in rows {
            for run in r.runs {
                csv += "\(run.env),\(run.agent),\(run.seed),\(run.steps),\(run.wallSeconds),\(Double(run.steps) / run.wallSeconds),\(run.evalMean),\(run.evalStd),\(run.bestMean),\(run.bestStd),\(run.bestSteps)\n"
            }
        }
        try writeAtomically(Data(csv.utf8), to: folder.appendingPathComponent("runs.csv"))

        for env in Set(rows.map(\.entry.env)) {
            try writeAtomically(Data(Self.chart(env: env, rows: rows.filter { $0.entry.env == env }, seeds: seeds).svg().utf8),
                                to: folder.appendingPathComponent("\(env).svg"))
        }
    }

    /// One environment's learning curves against environment steps, each agent up to its own
    /// budget: the mean over seeds and a ±1 standard-deviation band.
    static func chart(env: String, rows: [Row], seeds: Int) -> Chart {
        let series = rows.map { row -> Chart.Series in
            let budget = row.runs.map(\.steps).max() ?? 1
            let xs = (1...200).map { Double(budget) * Double($0) / 200 }
            return Chart.seedBand(name: row.entry.agent, runs: row.runs.map { $0.curve.map { (Double($0.steps), $0.meanReturn) } }, at: xs)
        }
        return Chart(title: "\(env): training return (mean of the last 100 episodes)", xLabel: "environment steps", yLabel: "return",
                     series: series, caption: "Lines: mean over \(seeds) seeds; bands: ±1 standard deviation across seeds.")
    }
}
