import Agents
import Datasets
import Environments
import Foundation
import NN
import RL
import Random
import Training

/// One run of `bench offline`: an offline agent trained on one dataset, then scored as the d3rlpy
/// peer scores it (20 greedy episodes, episode i reset with seed 10 000 + i).
public struct OfflineRun: Codable, Sendable {
    public var dataset: String, agent: String, seed: UInt64
    public var gradientSteps: Int, wallSeconds: Double, evalMean: Double
    /// The dataset the run trained on: its `fingerprint` and mean episode return (none in runs
    /// recorded before they were kept, and in the peer's).
    public var datasetFingerprint: String?, datasetMeanReturn: Double?
    /// The CPU and cores it ran on (its ms / step is that machine's); none in runs recorded before it was kept.
    public var machine: String?
    public var millisecondsPerStep: Double { 1000 * wallSeconds / Double(gradientSteps) }

    public init(dataset: String, agent: String, seed: UInt64, gradientSteps: Int, wallSeconds: Double, evalMean: Double,
                datasetFingerprint: String? = nil, datasetMeanReturn: Double? = nil, machine: String? = nil) {
        (self.dataset, self.agent, self.seed, self.gradientSteps, self.wallSeconds, self.evalMean) = (dataset, agent, seed, gradientSteps, wallSeconds, evalMean)
        (self.datasetFingerprint, self.datasetMeanReturn, self.machine) = (datasetFingerprint, datasetMeanReturn, machine)
    }
}

/// The dataset behind a table's runs of one name, as they recorded it.
public struct RecordedDataset: Equatable, Sendable {
    public let fingerprint: String?, meanReturn: Double?

    public init(fingerprint: String?, meanReturn: Double?) { (self.fingerprint, self.meanReturn) = (fingerprint, meanReturn) }

    /// What a run on `dataset` records of it.
    public init(_ dataset: OfflineDataset) { self.init(fingerprint: dataset.fingerprint, meanReturn: DatasetSummary(dataset).meanReturn) }

    /// What `runs` of `dataset` recorded; an error if they disagree (trained on different files).
    public static func of(_ dataset: String, in runs: [OfflineRun]) throws -> RecordedDataset? {
        let seen = Set(runs.filter { $0.dataset == dataset }.map { $0.datasetFingerprint ?? "unrecorded" })
        guard let first = runs.first(where: { $0.dataset == dataset }) else { return nil }
        guard seen.count == 1 else {
            throw BenchmarkError("the \(dataset) runs were trained on different \(dataset) datasets (fingerprints \(seen.sorted().joined(separator: ", "))): "
                                 + "rerun every \(dataset) cell on one file")
        }
        return RecordedDataset(fingerprint: first.datasetFingerprint, meanReturn: first.datasetMeanReturn)
    }
}

/// One table of `bench offline`: an environment, its datasets (looked up by name as `NAME.npz`
/// or a Minari folder `NAME` in `folders`, first match) and the agents that fit its actions.
public struct OfflineSuite: Sendable {
    public let environmentID: String
    public let datasets: [String], agents: [String]
    /// Where the datasets are looked for, in order (relative to the working directory).
    public let folders: [String]
    /// Where the table goes.
    public let output: String
    /// Where the data came from, for the report.
    public let provenance: String

    /// The four CartPole-v1 datasets of 10⁵ transitions the d3rlpy peer trained on, and the replay
    /// dataset `scripts/make-offline-datasets.sh` collects.
    public static let cartPole = OfflineSuite(
        environmentID: "CartPole-v1", datasets: ["random", "medium", "expert", "mixed", "replay"], agents: ["bc", "cql", "bcq", "iql"],
        folders: ["../shared/anchors/peers/data", "datasets/cartpole"], output: "Results/offline",
        provenance: "the four CartPole-v1 datasets of 10⁵ transitions the peer trained on (`../shared/anchors/peers/data/`, made by its "
            + "`make_datasets.py`: random; medium, a PPO snapshot whose sampled episodes score 150–250; expert; mixed, 80 % random and 20 % "
            + "expert episodes by transitions), and replay: every transition DQN saw while it trained with the zoo's settings "
            + "(`scripts/make-offline-datasets.sh`, `athanor dataset replay`)")

    /// Pendulum-v1 datasets collected with SAC by `scripts/make-offline-datasets.sh`.
    public static let pendulum = OfflineSuite(
        environmentID: "Pendulum-v1", datasets: ["random", "medium", "expert", "mixed", "replay"], agents: ["bc", "iql", "td3_bc"],
        folders: ["datasets/pendulum"], output: "Results/offline/pendulum",
        provenance: "Pendulum-v1 datasets of 10⁵ transitions (500 episodes) collected by `scripts/make-offline-datasets.sh`: random (uniform "
            + "actions); expert, SAC with the zoo's settings (2·10⁴ steps) acting deterministically; medium, SAC stopped after 2·10³ steps (its "
            + "final policy scores about −800, a third of the way from random to expert); mixed, 80 % random and 20 % expert episodes by transitions; "
            + "replay, every transition the expert SAC saw while it trained (2·10⁴)")

    public static let all = [cartPole, pendulum]

    public static func named(_ environmentID: String) -> OfflineSuite? { all.first { $0.environmentID == environmentID } }

    /// `NAME.npz` or the Minari folder `NAME` in the first of `folders` that has one.
    public func location(of dataset: String, in folders: [String]? = nil) -> URL? {
        for folder in folders ?? self.folders {
            let base = URL(fileURLWithPath: folder)
            for candidate in [base.appendingPathComponent("\(dataset).npz"), base.appendingPathComponent(dataset)]
            where FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}

/// The dataset × algorithm tables of offline RL (CartPole-v1 beside d3rlpy, Pendulum-v1 for the
/// continuous agents), with D4RL's normalised score 100·(score − random)/(expert − random), the
/// references measured in the same run.
public enum OfflineBenchmark {
    /// d3rlpy's evaluation: `episodes` episodes, episode i reset with seed 10 000 + i, greedy actions.
    public static func score(on environmentID: String, episodes: Int = 20, _ policy: ([Float]) -> [Float]) throws -> Double {
        var total = 0.0
        for i in 0..<episodes {
            var env = try environments.make(environmentID)
            var observation = env.resetFlat(seed: UInt64(10_000 + i)).observation
            while true {
                let t = try env.stepFlat(policy(observation).map(Double.init))
                total += t.reward
                if t.isLast { break }
                observation = t.observation
            }
        }
        return total / Double(episodes)
    }

    /// Trains `agent` (`--preset zoo`) on the dataset at `location` and scores it; the run records
    /// `recorded`, what that file holds (`RecordedDataset(OfflineData.load(location.path))`, made once per dataset).
    public static func run(agent: String, dataset: String, at location: URL, recorded: RecordedDataset, environmentID: String, seed: UInt64,
                           gradientSteps: Int?) throws -> OfflineRun {
        let config = try DeepAgents.configuration(agent: agent, environmentID: environmentID,
                                                  recipe: .init(preset: "zoo", settings: ["dataset=\(location.path)"]))
        let learner = try DeepAgents.make(agent: agent, configuration: config, environment: environments.make(environmentID), seed: seed,
                                          totalSteps: gradientSteps)
        let summary = try learner.learn()
        let mean = try score(on: environmentID) { learner.act($0, deterministic: true) }
        return OfflineRun(dataset: dataset, agent: agent, seed: seed, gradientSteps: summary.steps, wallSeconds: summary.wallSeconds, evalMean: mean,
                          datasetFingerprint: recorded.fingerprint, datasetMeanReturn: recorded.meanReturn, machine: Provenance.current.machine)
    }

    /// The references of the normalised score: uniformly random actions, and the expert dataset's
    /// own mean episode return (the policy that collected it), both measured now.
    public static func references(environmentID: String, expert: URL) throws -> (random: Double, expert: Double) {
        var generator = RandomGenerator(seed: 1)
        let space = try environments.make(environmentID).actionSpace
        let random = try score(on: environmentID) { _ in space.sample(using: &generator).map(Float.init) }
        let expert = DatasetSummary(try OfflineData.load(expert.path)).meanReturn
        return (random, expert)
    }

    /// Writes `runs` to `folder/runs.csv` atomically: the bench does after every run, so a killed bench keeps the runs it finished.
    public static func writeRuns(_ runs: [OfflineRun], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var csv = "dataset,agent,seed,gradient_steps,wall_s,eval_mean,dataset_fingerprint,dataset_mean_return,machine\n"
        for r in runs {
            csv += "\(r.dataset),\(r.agent),\(r.seed),\(r.gradientSteps),\(r.wallSeconds),\(r.evalMean),"
            csv += "\(r.datasetFingerprint ?? ""),\(r.datasetMeanReturn.map { "\($0)" } ?? ""),\((r.machine ?? "").replacingOccurrences(of: ",", with: ";"))\n"
        }
        try writeAtomically(Data(csv.utf8), to: folder.appendingPathComponent("runs.csv"))
    }

    /// The runs an earlier `bench offline` wrote to `folder/runs.csv` (none if there is no such file).
    public static func earlierRuns(in folder: URL) throws -> [OfflineRun] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("runs.csv"), encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").dropFirst().map { line in
            // Six fields in files written before the dataset and machine were recorded, nine since (the last three may be empty).
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 6 || f.count == 9, let seed = UInt64(f[2]), let steps = Int(f[3]), let wall = Double(f[4]), let mean = Double(f[5]),
                  f.count == 6 || f[7].isEmpty || Double(f[7]) != nil else {
                throw BenchmarkError("\(folder.path)/runs.csv: malformed line '\(line.prefix(80))'")
            }
            return OfflineRun(dataset: f[0], agent: f[1], seed: seed, gradientSteps: steps, wallSeconds: wall, evalMean: mean,
                              datasetFingerprint: f.count == 9 && !f[6].isEmpty ? f[6] : nil, datasetMeanReturn: f.count == 9 ? Double(f[7]) : nil,
                              machine: f.count == 9 && !f[8].isEmpty ? f[8] : nil)
        }
    }

    /// The peer's runs: JSON lines with dataset, algo, seed, grad_steps, fit_s, eval_mean.
    public static func peerRuns(_ urls: [URL]) -> [OfflineRun] {
        urls.flatMap { url -> [OfflineRun] in
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { line in
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let dataset = o["dataset"] as? String, let algo = o["algo"] as? String, let seed = o["seed"] as? Int,
                      let steps = o["grad_steps"] as? Int, let fit = o["fit_s"] as? Double, let mean = o["eval_mean"] as? Double else { return nil }
                return OfflineRun(dataset: dataset, agent: algo, seed: UInt64(seed), gradientSteps: steps, wallSeconds: fit, evalMean: mean)
            }
        }
    }
}

/// `Results/offline/`: the table, the figure and the runs.
public struct OfflineReport {
    public let suite: OfflineSuite
    public let runs: [OfflineRun], peer: [OfflineRun]
    public let references: (random: Double, expert: Double)
    /// Each dataset's mean episode return: as its runs recorded it (the file they trained on).
    public let datasetReturns: [String: Double]

    public init(suite: OfflineSuite, runs: [OfflineRun], peer: [OfflineRun], references: (random: Double, expert: Double),
                datasetReturns: [String: Double]) {
        (self.suite, self.runs, self.peer, self.references, self.datasetReturns) = (suite, runs, peer, references, datasetReturns)
    }

    func normalised(_ score: Double) -> Double { 100 * (score - references.random) / (references.expert - references.random) }

    public func markdownTable() -> String {
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        var md = "| dataset (mean return) | agent | seeds | return per seed | mean ± std | IQM [95 % CI] | normalised | ms / gradient step |"
        md += peer.isEmpty ? "\n|---|---|---:|---|---:|---:|---:|---:|\n"
            : " d3rlpy return per seed | d3rlpy ms / step | speed-up |\n|---|---|---:|---|---:|---:|---:|---:|---|---:|---:|\n"
        for dataset in suite.datasets {
            for agent in suite.agents {
                let group = runs.filter { $0.dataset == dataset && $0.agent == agent }
                guard !group.isEmpty else { continue }
                let scores = group.map(\.evalMean), interval = bootstrapInterval(strata: [scores], seed: 7)
                let theirs = peer.filter { $0.dataset == dataset && $0.agent == agent }
                let ours = group.map(\.millisecondsPerStep).mean, peerMs = theirs.map(\.millisecondsPerStep).mean
                let statistics = datasetReturns[dataset].map { " (\(f($0)))" } ?? ""
                md += "| \(dataset)\(statistics) | \(agent) | \(group.count) | \(scores.map(f).joined(separator: ", ")) | \(f(scores.mean)) ± \(f(scores.standardDeviation)) | "
                md += "\(f(interquartileMean(scores))) [\(f(interval.low)), \(f(interval.high))] | \(f(normalised(scores.mean))) | "
                md += String(format: "%.2f |", ours)
                md += peer.isEmpty ? "\n" : theirs.isEmpty ? " — | — | — |\n"
                    : " " + theirs.sorted { $0.seed < $1.seed }.map { "\(f($0.evalMean)) (seed \($0.seed))" }.joined(separator: ", ")
                        + String(format: " | %.2f | %.1f× |\n", peerMs, peerMs / ours)
            }
        }
        return md
    }

    /// Normalised score per dataset, one line per agent, a band from the worst to the best seed.
    public var chart: Chart {
        let xs = suite.datasets.indices.map(Double.init)
        let series = suite.agents.compactMap { agent -> Chart.Series? in
            let groups = suite.datasets.map { d in runs.filter { $0.dataset == d && $0.agent == agent }.map { normalised($0.evalMean) } }
            guard groups.allSatisfy({ !$0.isEmpty }) else { return nil }
            return Chart.Series(name: agent, x: xs, y: groups.map(\.mean), band: (groups.map { $0.min() ?? 0 }, groups.map { $0.max() ?? 0 }))
        }
        let axis = suite.datasets.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", ")
        return Chart(title: "Offline RL on \(suite.environmentID): normalised score per dataset", xLabel: "dataset: \(axis)",
                     yLabel: "normalised score", series: series, xRange: -0.2...(Double(suite.datasets.count) - 0.8),
                     caption: "100·(score − random)/(expert − random); lines: mean over seeds, bands: worst to best seed.")
    }

    /// Where the runs ran, when not all on the machine this page was made on: ms / step compares within one machine only.
    var machinesNote: String {
        let here = Provenance.current.machine
        let counts = Dictionary(grouping: runs, by: { $0.machine ?? "not recorded (runs made before runs.csv kept the machine)" }).mapValues(\.count)
        guard Array(counts.keys) != [here] else { return "" }
        let list = counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
        return "Runs per machine (runs.csv's `machine`; ms / step compares within one machine): \(list).\n\n"
    }

    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let steps = runs.first?.gradientSteps ?? 0
        let peerName = peer.isEmpty ? "" : ", beside d3rlpy"
        var md = "# Offline RL: datasets × algorithms on \(suite.environmentID)\(peerName)\n\n\(Provenance.current.markdown)\n\n"
        let perAgent = suite.agents.compactMap { a in
            let n = Set(runs.filter { $0.agent == a }.map(\.seed)).count
            return n == 0 ? nil : "\(a) \(n)"
        }.joined(separator: ", ")
        md += "Regenerate: `athanor bench offline --env \(suite.environmentID)` (seeds per agent: \(perAgent) — `--agents A --seeds N --append` adds "
        md += "an agent's cells to the table; \(steps) gradient steps, `--preset zoo`: hyperparams/{\(suite.agents.joined(separator: ","))}.yml"
        md += suite.environmentID == OfflineSuite.cartPole.environmentID
            ? ", the d3rlpy peer's settings; IQL with d3rlpy's defaults, which has no discrete IQL to compare with). "
            : ", d3rlpy's defaults). "
        md += "Data: \(suite.provenance). Score: the final policy's mean return over 20 greedy "
        md += "episodes, episode i reset with seed 10 000 + i (the d3rlpy peer's `offline_train.py` protocol). Normalised: D4RL's "
        md += String(format: "100·(score − random)/(expert − random) with random = %.1f (uniform actions, measured now) and expert = %.1f ", references.random, references.expert)
        md += "(the expert dataset's mean episode return)."
        if !peer.isEmpty {
            md += " d3rlpy 2.8.1 figures: the peer's `offline_results*.jsonl` on this machine kind, "
            md += "one PyTorch thread; its ms / step is `fit` time over gradient steps, ours `learn`'s."
        }
        md += "\n\n" + machinesNote
        md += markdownTable() + "\n![normalised score per dataset](offline.svg)\n"
        try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("index.md"))
        try OfflineBenchmark.writeRuns(runs, to: folder)
        try writeAtomically(Data(chart.svg().utf8), to: folder.appendingPathComponent("offline.svg"))
    }
}
