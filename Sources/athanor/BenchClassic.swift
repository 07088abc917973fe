import ArgumentParser
import Benchmarks
import Foundation

extension Bench {
    struct Classic: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "PPO, A2C, DQN, REINFORCE, SAC, TD3 and DDPG on classic control with the zoo's budgets; writes Results/classic/.",
            discussion: """
                Each run trains with --preset zoo on seed 0, 1, … with 20 periodic evaluations (10 deterministic \\
                episodes each, the best model kept, as the zoo's EvalCallback); the final policy and the best model are \\
                each scored by 20 deterministic episodes on a freshly seeded environment. The table gives both as \\
                mean ± std over seeds, the interquartile mean with a stratified-bootstrap 95 % interval, the zoo's \\
                published score, wall time and steps/s. With --anchors DIR, Stable-Baselines3 trains SAC and TD3 on \
                Pendulum-v1 with the same settings (DIR/sb3_train.py) right after ours on the first --peer-seeds seeds, \
                and the table gives its learn() time beside ours.
                """
        )
        @Option(help: "Seeds per entry (default 5; 3 with --quick).") var seeds: Int?
        @Flag(help: "CartPole-v1 only (PPO, A2C, DQN, REINFORCE), for the README's main command.") var quick = false
        @Option(help: "Only these entries, comma-separated: ENV or ENV/AGENT (e.g. CartPole-v1/ppo).") var only: String?
        @Option(help: "Output folder (default Results/classic, or Results/classic-quick with --quick).") var output: String?
        @Flag(help: "Print one JSON document with every run and the table rows.") var json = false
        @Option(help: "Folder of the Python anchors (e.g. ../shared/anchors): Stable-Baselines3 beside SAC and TD3 on Pendulum-v1.")
        var anchors: String?
        @Option(help: "Python with Stable-Baselines3 for --anchors (default: ~/.venvs/anchors/bin/python, else python3).") var python: String?
        @Option(help: "Seeds Stable-Baselines3 trains with --anchors (default 1: seed 0).") var peerSeeds = 1
        @OptionGroup var sharding: ShardOptions
        var merge: String? { sharding.merge }

        func validate() throws {
            guard (1...1000).contains(seeds ?? 1) else { throw ValidationError("--seeds must be in 1…1000") }
            guard (0...1000).contains(peerSeeds) else { throw ValidationError("--peer-seeds must be in 0…1000") }
        }

        func run() throws {
            let entries = try ClassicBenchmark.entries(only: only, quick: quick)
            let seedCount = seeds ?? (quick ? 3 : 5)
            let folder = URL(fileURLWithPath: output ?? (quick ? "Results/classic-quick" : "Results/classic"))
            var runs: [ClassicRun] = [], peers: [ClassicPeerRun] = []
            let part = try sharding.part()
            var position = -1
            for entry in merge == nil ? entries : [] {
                for seed in 0..<UInt64(seedCount) {
                    position += 1
                    guard part.includes(position) else { continue }
                    let r = try ClassicBenchmark.run(entry, seed: seed)
                    runs.append(r)
                    log(String(format: "athanor bench classic: %@ seed %llu: final %.1f ± %.1f, best %.1f ± %.1f (at %d steps) in %.1f s",
                               entry.id, seed, r.evalMean, r.evalStd, r.bestMean, r.bestStd, r.bestSteps, r.wallSeconds))
                    // Alternating with ours, so both see the same machine load.
                    if let anchors, ClassicBenchmark.hasPeer(entry), seed < UInt64(peerSeeds) {
                        let peer = try ClassicBenchmark.peerRun(entry, seed: seed, anchors: anchors, python: python)
                        peers.append(peer)
                        log(String(format: "athanor bench classic: %@ seed %llu: Stable-Baselines3 %.1f in %.1f s (learn)",
                                   entry.id, seed, peer.evalMean, peer.learnSeconds))
                    }
                }
            }
            if let merge {
                // In the unsharded order (entry, then seed), so the intervals' bootstrap draws the same samples.
                let order = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.id, $0) })
                runs = ShardRuns.unique(try ShardRuns.read(ClassicRun.self, from: ShardRuns.folders(merge)), by: { "\($0.env)/\($0.agent)/\($0.seed)" })
                    .filter { order["\($0.env)/\($0.agent)"] != nil }
                    .sorted { (order["\($0.env)/\($0.agent)"] ?? 0, $0.seed) < (order["\($1.env)/\($1.agent)"] ?? 0, $1.seed) }
                    .map { run in var run = run; run.curve = run.curve.changePoints; return run }  // parts written before thinning
                peers = try ShardRuns.read(ClassicPeerRun.self, from: ShardRuns.folders(merge), file: "peer-runs.jsonl", optional: true)
                guard !runs.isEmpty else { throw UserError("--merge: no runs of the chosen entries in \(merge)") }
            }
            try ShardRuns.write(runs, to: folder)
            try ShardRuns.write(peers, to: folder, file: "peer-runs.jsonl")
            let randomScores = try Dictionary(uniqueKeysWithValues: Set(entries.map(\.env)).map { ($0, try ClassicBenchmark.randomScore($0)) })
            let report = ClassicReport(entries: entries, runs: runs, randomScores: randomScores, quick: quick, seeds: seedCount, peers: peers)
            try report.write(to: folder)
            if json {
                try printJSON(report.json)
            } else {
                print(report.markdownTable())
                print("tables in \(folder.path)/")
            }
        }
    }
}
