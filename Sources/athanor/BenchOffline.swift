import ArgumentParser
import Benchmarks
import Datasets
import Foundation

extension Bench {
    struct Offline: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "offline",
            abstract: "BC, discrete CQL, BCQ and IQL on the CartPole-v1 random, medium, expert and mixed datasets; writes Results/offline/.",
            discussion: """
                Each agent trains on each dataset (--data DIR/NAME.npz, D4RL-style arrays) with --preset zoo (the d3rlpy \\
                peer's settings) for its gradient steps on seeds 0, 1, …, then plays 20 greedy episodes (episode i reset \\
                with seed 10 000 + i). The table gives each cell's returns, mean ± std, IQM with a bootstrap interval, \\
                D4RL's normalised score and the time per gradient step, beside the peer's d3rlpy runs (--peer files).
                """
        )
        @Option(help: "Folder with random.npz, medium.npz, expert.npz and mixed.npz.") var data = "../shared/anchors/peers/data"
        @Option(help: "Seeds per cell.") var seeds = 5
        @Option(help: "Gradient steps per run (default: the preset's, 20000).") var steps: Int?
        @Option(help: "Only these datasets, comma-separated.") var datasets = OfflineBenchmark.datasets.joined(separator: ",")
        @Option(help: "Only these agents, comma-separated.") var agents = OfflineBenchmark.agents.joined(separator: ",")
        @Option(name: .customLong("peer"), help: "d3rlpy's runs (JSON lines; repeatable).")
        var peers = ["../shared/anchors/peers/offline_results.jsonl", "../shared/anchors/peers/offline_results_more_seeds.jsonl"]
        @Option(help: "Output folder.") var output = "Results/offline"
        @Flag(help: "Keep the runs already in the output folder's runs.csv for the cells not run now (add an agent to a table).") var append = false

        func validate() throws {
            guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1…100") }
            guard (1...10_000_000).contains(steps ?? 1) else { throw ValidationError("--steps must be in 1…10000000") }
            for d in datasets.split(separator: ",") where !OfflineBenchmark.datasets.contains(String(d)) {
                throw ValidationError("unknown dataset '\(d)'; datasets: \(OfflineBenchmark.datasets.joined(separator: ", "))")
            }
            for a in agents.split(separator: ",") where !OfflineBenchmark.agents.contains(String(a)) {
                throw ValidationError("unknown agent '\(a)'; agents: \(OfflineBenchmark.agents.joined(separator: ", "))")
            }
        }

        func run() throws {
            let folder = URL(fileURLWithPath: data)
            for name in OfflineBenchmark.datasets where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(name).npz").path) {
                throw ValidationError("no \(name).npz in \(data) (give the datasets' folder with --data)")
            }
            var runs: [OfflineRun] = [], statistics: [String: DatasetSummary] = [:]
            for dataset in datasets.split(separator: ",").map(String.init) {
                statistics[dataset] = DatasetSummary(try OfflineDataset.read(npz: folder.appendingPathComponent("\(dataset).npz")))
                for agent in agents.split(separator: ",").map(String.init) {
                    for seed in 0..<UInt64(seeds) {
                        let r = try OfflineBenchmark.run(agent: agent, dataset: dataset, folder: folder, seed: seed, gradientSteps: steps)
                        runs.append(r)
                        log(String(format: "athanor bench offline: %@ %@ seed %llu: %.1f in %.1f s", dataset, agent, seed, r.evalMean, r.wallSeconds))
                    }
                }
            }
            if append {
                let ran = Set(runs.map { "\($0.dataset)/\($0.agent)" })
                runs = try OfflineBenchmark.earlierRuns(in: URL(fileURLWithPath: output)).filter { !ran.contains("\($0.dataset)/\($0.agent)") } + runs
                for dataset in Set(runs.map(\.dataset)) where statistics[dataset] == nil {
                    statistics[dataset] = DatasetSummary(try OfflineDataset.read(npz: folder.appendingPathComponent("\(dataset).npz")))
                }
            }
            let report = OfflineReport(runs: runs, peer: OfflineBenchmark.peerRuns(peers.map(URL.init(fileURLWithPath:))),
                                       references: try OfflineBenchmark.references(folder: folder), datasetStatistics: statistics)
            try report.write(to: URL(fileURLWithPath: output))
            print(report.markdownTable())
            print("tables in \(output)/")
        }
    }
}
