import Agents
import Benchmarks
import Foundation
import NN
import Training

/// A sweep's table from whatever tasks are done: one row per agent × environment × swept settings,
/// seeds pooled — mean ± std of the final policies and of the best models, their interquartile
/// means with a 95 % bootstrap interval (rliable's) — a learning-curve plot per environment, and
/// for a `bench:` sweep the benchmark's own report. `scores.csv` holds no wall times, so the
/// merge of a sweep is the same file wherever and in whatever order its tasks ran.
public struct SweepReport {
    public struct Row {
        public let name: String
        public let environment: String
        public let results: [SweepResult]
        var finals: [Double] { results.map(\.run.evalMean) }
        var bests: [Double] { results.map(\.run.bestMean) }
    }

    public let sweep: Sweep
    public let rows: [Row]
    public let missing: [Int]

    public init(sweep: Sweep, results: [SweepResult]) {
        self.sweep = sweep
        var order: [String] = [], grouped: [String: [SweepResult]] = [:]
        for task in sweep.tasks where grouped[task.row] == nil {
            order.append(task.row)
            grouped[task.row] = []
        }
        for result in results { grouped[result.task.row, default: []].append(result) }
        rows = order.compactMap { name in
            guard let results = grouped[name], let first = results.first else { return nil }
            return Row(name: name, environment: first.task.environment.label, results: results)
        }
        let done = Set(results.map(\.task.index))
        missing = sweep.tasks.map(\.index).filter { !done.contains($0) }
    }

    /// The scores table (no times: identical wherever the tasks ran).
    public func markdownTable() -> String {
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        var md = "| run | seeds | final mean ± std | final IQM [95 % CI] | best mean ± std | best IQM [95 % CI] |\n"
        md += "|---|---:|---:|---:|---:|---:|\n"
        for row in rows {
            let a = bootstrapInterval(strata: [row.finals], seed: 7), b = bootstrapInterval(strata: [row.bests], seed: 7)
            md += "| \(row.name) | \(row.results.count) | \(f(row.finals.mean)) ± \(f(row.finals.standardDeviation)) | "
            md += "\(f(interquartileMean(row.finals))) [\(f(a.low)), \(f(a.high))] | \(f(row.bests.mean)) ± \(f(row.bests.standardDeviation)) | "
            md += "\(f(interquartileMean(row.bests))) [\(f(b.low)), \(f(b.high))] |\n"
        }
        return md
    }

    /// One line per finished run, in task order, without wall times.
    public var scoresCSV: String {
        var csv = "task,agent,env,settings,seed,steps,eval_mean,eval_std,best_mean,best_std,best_steps\n"
        for row in rows {
            for r in row.results {
                let settings = r.task.settings.joined(separator: " ")
                csv += "\(r.task.index),\(r.task.agent),\(r.task.environment.label),\"\(settings)\",\(r.task.seed),\(r.run.steps),"
                csv += "\(r.run.evalMean),\(r.run.evalStd),\(r.run.bestMean),\(r.run.bestStd),\(r.run.bestSteps)\n"
            }
        }
        return csv
    }

    /// Writes index.md, scores.csv, timing.csv, one SVG per environment and, for a `bench: classic`
    /// sweep, the benchmark's own report in `classic/` (the table `bench classic` writes).
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let done = sweep.tasks.count - missing.count
        var md = "# Sweep \(sweep.spec.name)\n\n\(done) of \(sweep.tasks.count) tasks merged"
        md += missing.isEmpty ? ".\n\n" : "; not finished yet: \(Self.ranges(missing)).\n\n"
        md += "Regenerate: `athanor sweep merge SPEC`. Each run: \(sweep.spec.preset) settings, the final policy and the best of "
        md += "\(sweep.spec.evaluations) periodic evaluations (\(sweep.spec.episodesPerEvaluation) deterministic episodes each), "
        md += "each scored by \(sweep.spec.finalEpisodes) deterministic episodes on the environment seeded 10 000 + seed. "
        md += "IQM: interquartile mean over seeds with a 2000-sample percentile bootstrap (rliable). Wall times per task are in timing.csv.\n\n"
        md += markdownTable()
        let environments = Array(Set(rows.map(\.environment))).sorted()
        md += "\nLearning curves: " + environments.map { "[\($0)](\(Self.fileName($0)).svg)" }.joined(separator: ", ") + ".\n"
        if sweep.spec.bench != nil { md += "\nThe benchmark's own report: [classic/index.md](classic/index.md).\n" }
        try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("index.md"))
        try writeAtomically(Data(scoresCSV.utf8), to: folder.appendingPathComponent("scores.csv"))
        var timing = "task,wall_s,steps_per_s\n"
        for r in rows.flatMap(\.results) {
            timing += "\(r.task.index),\(r.run.wallSeconds),\(Double(r.run.steps) / Swift.max(r.run.wallSeconds, 1e-9))\n"
        }
        try writeAtomically(Data(timing.utf8), to: folder.appendingPathComponent("timing.csv"))
        for environment in environments {
            let series = rows.filter { $0.environment == environment }.map { row -> Chart.Series in
                let budget = row.results.map(\.run.steps).max() ?? 1
                let xs = (1...200).map { Double(budget) * Double($0) / 200 }
                return Chart.seedBand(name: row.name, runs: row.results.map { $0.run.curve.map { (Double($0.steps), $0.meanReturn) } }, at: xs)
            }
            let chart = Chart(title: "\(environment): training return (mean of the last 100 episodes)", xLabel: "environment steps",
                              yLabel: "return", series: series, caption: "Lines: mean over seeds; bands: ±1 standard deviation.")
            try writeAtomically(Data(chart.svg().utf8), to: folder.appendingPathComponent(Self.fileName(environment) + ".svg"))
        }
        if sweep.spec.bench == "classic" {
            let runs = rows.flatMap(\.results).map(\.run)
            let entries = try ClassicBenchmark.entries(only: sweep.spec.only, quick: false)
            let randomScores = try Dictionary(uniqueKeysWithValues: Set(runs.map(\.env)).map { ($0, try ClassicBenchmark.randomScore($0)) })
            try ClassicReport(entries: entries, runs: runs, randomScores: randomScores, quick: false, seeds: sweep.spec.seeds.count)
                .write(to: folder.appendingPathComponent("classic"))
        }
    }

    static func fileName(_ environment: String) -> String {
        String(environment.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }

    /// `0-3, 7, 9-10`.
    static func ranges(_ indices: [Int]) -> String {
        var parts: [String] = [], start: Int?, previous = -2
        for i in indices.sorted() + [Int.min] {
            if i == previous + 1 { previous = i; continue }
            if let s = start { parts.append(s == previous ? "\(s)" : "\(s)-\(previous)") }
            (start, previous) = (i, i)
        }
        return parts.joined(separator: ", ")
    }
}
