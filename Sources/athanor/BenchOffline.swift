import Agents
import ArgumentParser
import Benchmarks
import Datasets
import Foundation

extension Bench {
    struct Offline: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "offline",
            abstract: "Offline agents × datasets: BC, CQL, BCQ, IQL on CartPole-v1 (beside d3rlpy), BC, IQL, TD3+BC on Pendulum-v1; writes Results/offline/.",
            discussion: """
                Each agent trains on each dataset (NAME.npz, D4RL-style arrays, or a Minari folder NAME, looked up in the --data \
                folders) with --preset zoo for its gradient steps on seeds 0, 1, …, then plays 20 greedy episodes (episode i reset \
                with seed 10 000 + i). The table gives each cell's returns, mean ± std, IQM with a bootstrap interval, D4RL's \
                normalised score and the time per gradient step, beside the peer's d3rlpy runs (--peer files) on CartPole-v1. \
                The replay and Pendulum-v1 datasets are made by scripts/make-offline-datasets.sh.
                """
        )
        @Option(help: "CartPole-v1 or Pendulum-v1.") var env = OfflineSuite.cartPole.environmentID
        @Option(name: .customLong("data"), help: "Folders holding the datasets (repeatable; default: the suite's).") var folders: [String] = []
        @Option(help: "Seeds per cell.") var seeds = 5
        @Option(help: "Gradient steps per run (default: the preset's, 20000).") var steps: Int?
        @Option(help: "Only these datasets, comma-separated (default: all of the suite's).") var datasets: String?
        @Option(help: "Only these agents, comma-separated (default: all of the suite's).") var agents: String?
        @Option(name: .customLong("peer"), help: "d3rlpy's runs (JSON lines; repeatable; CartPole-v1).")
        var peers = ["../shared/anchors/peers/offline_results.jsonl", "../shared/anchors/peers/offline_results_more_seeds.jsonl"]
        @Option(help: "Output folder (default: the suite's, Results/offline or Results/offline/pendulum).") var output: String?
        @Flag(help: "Keep the runs already in the output folder's runs.csv for the cells not run now (add an agent to a table).") var append = false
        @Flag(help: "Train nothing: rebuild the table, figure and aggregates from the output folder's runs.csv (e.g. after joining the runs.csv of several machines' shards).")
        var reportOnly = false

        @OptionGroup var sharding: ShardOptions
        var merge: String? { sharding.merge }

        var suite: OfflineSuite { OfflineSuite.named(env) ?? .cartPole }
        var chosenDatasets: [String] { datasets.map { $0.split(separator: ",").map(String.init) } ?? suite.datasets }
        var chosenAgents: [String] { agents.map { $0.split(separator: ",").map(String.init) } ?? suite.agents }

        func validate() throws {
            guard OfflineSuite.named(env) != nil else {
                throw ValidationError("--env must be one of \(OfflineSuite.all.map(\.environmentID).joined(separator: ", ")), not '\(env)'")
            }
            guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1…100") }
            guard (1...10_000_000).contains(steps ?? 1) else { throw ValidationError("--steps must be in 1…10000000") }
            for d in chosenDatasets where !suite.datasets.contains(d) {
                throw ValidationError("unknown dataset '\(d)' for \(env); datasets: \(suite.datasets.joined(separator: ", "))")
            }
            for a in chosenAgents where !suite.agents.contains(a) {
                throw ValidationError("unknown agent '\(a)' for \(env); agents: \(suite.agents.joined(separator: ", "))")
            }
        }

        func run() throws {
            let suite = self.suite, output = self.output ?? suite.output
            let folders = self.folders.isEmpty ? suite.folders : self.folders
            func location(_ name: String) throws -> URL {
                guard let url = suite.location(of: name, in: folders) else {
                    throw ValidationError("no \(name).npz or Minari folder \(name) in \(folders.joined(separator: ", ")) "
                                          + "(scripts/make-offline-datasets.sh makes the replay and Pendulum-v1 datasets; --data names other folders)")
                }
                return url
            }
            let expert = try location("expert")
            var runs: [OfflineRun] = []
            // runs.csv is rewritten after every run (with --append, beside the earlier runs of entries not chosen now),
            // so a bench that is killed keeps what it finished: rerun the rest with --only … --append.
            let chosenPairs = Set(chosenDatasets.flatMap { d in chosenAgents.map { "\(d)/\($0)" } })
            let kept = append ? try OfflineBenchmark.earlierRuns(in: URL(fileURLWithPath: output)).filter { !chosenPairs.contains("\($0.dataset)/\($0.agent)") } : []
            let part = try sharding.part()
            var position = -1
            for dataset in reportOnly || merge != nil ? [] : chosenDatasets {
                let url = try location(dataset)
                // New cells join earlier ones only if those trained on this very file.
                let recorded = RecordedDataset(try OfflineData.load(url.path))
                if let earlier = try RecordedDataset.of(dataset, in: kept), earlier.fingerprint != recorded.fingerprint {
                    throw ValidationError("\(output)/runs.csv's \(dataset) runs trained on "
                                          + (earlier.fingerprint.map { "another \(dataset) dataset (fingerprint \($0))" } ?? "a \(dataset) dataset they did not record")
                                          + " than \(url.path) (\(recorded.fingerprint ?? "")): rerun every \(dataset) cell without --append, or use that file")
                }
                for agent in chosenAgents {
                    for seed in 0..<UInt64(seeds) {
                        position += 1
                        guard part.includes(position) else { continue }
                        let r = try OfflineBenchmark.run(agent: agent, dataset: dataset, at: url, recorded: recorded, environmentID: suite.environmentID,
                                                         seed: seed, gradientSteps: steps)
                        runs.append(r)
                        try OfflineBenchmark.writeRuns(kept + runs, to: URL(fileURLWithPath: output))
                        log(String(format: "athanor bench offline: %@ %@ seed %llu: %.1f in %.1f s", dataset, agent, seed, r.evalMean, r.wallSeconds))
                    }
                }
            }
            if let merge {
                // In the unsharded order, so the intervals' bootstrap draws the same samples.
                let key = { (r: OfflineRun) in [chosenDatasets.firstIndex(of: r.dataset) ?? -1, chosenAgents.firstIndex(of: r.agent) ?? -1, Int(r.seed)] }
                runs = ShardRuns.unique(try ShardRuns.read(OfflineRun.self, from: ShardRuns.folders(merge)).filter { !key($0).contains(-1) }, by: key)
                    .sorted { key($0).lexicographicallyPrecedes(key($1)) }
                guard !runs.isEmpty else { throw ValidationError("--merge: no runs of the chosen datasets and agents in \(merge)") }
                try OfflineBenchmark.writeRuns(runs, to: URL(fileURLWithPath: output))
            }
            if append || reportOnly {
                let ran = Set(runs.map { "\($0.dataset)/\($0.agent)" })
                runs = try OfflineBenchmark.earlierRuns(in: URL(fileURLWithPath: output)).filter { !ran.contains("\($0.dataset)/\($0.agent)") } + runs
            }
            // Each dataset's return as its runs recorded it, not as the local file of that name has it.
            var returns: [String: Double] = [:]
            for dataset in Set(runs.map(\.dataset)) {
                do { returns[dataset] = try RecordedDataset.of(dataset, in: runs)?.meanReturn } catch { throw ValidationError("\(error)") }
            }
            if reportOnly && runs.isEmpty { throw ValidationError("no runs in \(output)/runs.csv to report") }
            let peer = suite.environmentID == OfflineSuite.cartPole.environmentID ? OfflineBenchmark.peerRuns(peers.map(URL.init(fileURLWithPath:))) : []
            let report = OfflineReport(suite: suite, runs: runs, peer: peer,
                                       references: try OfflineBenchmark.references(environmentID: suite.environmentID, expert: expert),
                                       datasetReturns: returns)
            try report.write(to: URL(fileURLWithPath: output))
            try ShardRuns.write(runs, to: URL(fileURLWithPath: output))
            print(report.markdownTable())
            print("tables in \(output)/")
        }
    }
}
