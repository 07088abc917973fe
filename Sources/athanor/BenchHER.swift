import ArgumentParser
import Benchmarks
import Foundation
import NN

extension Bench {
    struct HER: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "her",
            abstract: "DQN with and without hindsight experience replay on BitFlip-n; writes Results/her/.",
            discussion: """
                For each n (--bits) and seed, DQN trains --steps steps with the Stable-Baselines3 peer's settings, with \\
                HER (future, k = 4) and without; success is the share of 100 deterministic episodes that reach the \\
                goal. The table and figure put the peer's runs (--peer, one JSON line per run) beside ours; with \
                --anchors DIR, Stable-Baselines3 trains --peer-seeds seeds of each cell right after ours instead \
                (DIR/peers/her_bitflip.py; its lines go to OUTPUT/peer-runs.jsonl), so the speed-up is measured side by side.
                """
        )
        @Option(help: "Numbers of bits, comma-separated.") var bits = HERBenchmark.defaultBits.map(String.init).joined(separator: ",")
        @Option(help: "Seeds per cell.") var seeds = 3
        @Option(help: "Environment steps per run (the peer's: 50000).") var steps = 50_000
        @Option(help: "The Stable-Baselines3 peer's runs (JSON lines).") var peer = "../shared/anchors/peers/her_results.jsonl"
        @Option(help: "Folder of the Python anchors (e.g. ../shared/anchors): Stable-Baselines3 trains beside ours, in this run.") var anchors: String?
        @Option(help: "Python with Stable-Baselines3 for --anchors (default: ~/.venvs/anchors/bin/python, else python3).") var python: String?
        @Option(help: "Seeds Stable-Baselines3 trains per cell with --anchors (default 1: seed 0).") var peerSeeds = 1
        @Option(help: "Output folder.") var output = "Results/her"
        @Option(help: "sb3 (the peer's settings, one gradient step per step) or paper (the HER paper's cycles).") var regime = "sb3"
        @Option(help: "Seeds of the point-mass part (SAC ± HER on PointMass-v0; 0: skip it).") var pointMassSeeds = 3
        @Flag(help: "Only the point-mass part (keeps the bit-flipping table as it is).") var pointMassOnly = false
        @Option(help: "Which DQNs to run per n: her, plain, or both (her,plain).") var variants = "her,plain"
        @OptionGroup var sharding: ShardOptions
        var merge: String? { sharding.merge }

        func validate() throws {
            guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1…100") }
            guard (1...100).contains(peerSeeds) else { throw ValidationError("--peer-seeds must be in 1…100") }
            guard anchors == nil || (regime == "sb3" && merge == nil) else {
                throw ValidationError("--anchors runs the peer in the sb3 regime and not with --merge")
            }
            if let anchors, !FileManager.default.fileExists(atPath: URL(fileURLWithPath: anchors).appendingPathComponent("peers/her_bitflip.py").path) {
                throw ValidationError("no peers/her_bitflip.py in \(anchors) (--anchors names the Python anchors' folder)")
            }
            guard HERBenchmark.Regime(rawValue: regime) != nil else { throw ValidationError("--regime must be sb3 or paper, not '\(regime)'") }
            guard (0...100).contains(pointMassSeeds) else { throw ValidationError("--point-mass-seeds must be in 0…100") }
            guard (1_001...10_000_000).contains(steps) else { throw ValidationError("--steps must be in 1001…10000000 (learning starts at 1000)") }
            guard !chosenVariants.isEmpty, variants.split(separator: ",").allSatisfy({ ["her", "plain"].contains($0) }) else {
                throw ValidationError("--variants must be her, plain or her,plain, not '\(variants)'")
            }
            guard let list = parsedBits, !list.isEmpty, list.allSatisfy({ (1...1024).contains($0) }) else {
                throw ValidationError("--bits must be numbers in 1…1024 separated by commas, not '\(bits)'")
            }
        }

        /// HER first, as the bench's order has it.
        var chosenVariants: [Bool] { [true, false].filter { variants.split(separator: ",").contains($0 ? "her" : "plain") } }

        var parsedBits: [Int]? {
            let items = bits.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            return items.contains(nil) ? nil : items.compactMap { $0 }
        }

        func run() throws {
            var pointMass: [PointMassRun] = []
            let part = try sharding.part()
            var position = -1
            func mine() -> Bool {
                position += 1
                return merge == nil && part.includes(position)
            }
            if let merge {
                pointMass = ShardRuns.unique(try ShardRuns.read(PointMassRun.self, from: ShardRuns.folders(merge), file: "point-mass-runs.jsonl",
                                                                optional: true), by: { "\($0.her)/\($0.seed)" })
                    .sorted { ($0.her ? 0 : 1, $0.seed) < ($1.her ? 0 : 1, $1.seed) }
            }
            for her in [true, false] {
                for seed in 0..<UInt64(pointMassSeeds) where mine() {
                    let r = try HERBenchmark.pointMassRun(her: her, seed: seed, steps: nil)
                    pointMass.append(r)
                    log(String(format: "athanor bench her: PointMass-v0 SAC %@ seed %llu: success %.2f in %.1f s", her ? "+ HER" : "alone", seed, r.success, r.wallSeconds))
                }
            }
            if !pointMass.isEmpty {
                try HERBenchmark.writePointMass(pointMass, to: URL(fileURLWithPath: output))
                try ShardRuns.write(pointMass, to: URL(fileURLWithPath: output), file: "point-mass-runs.jsonl")
            }
            if pointMassOnly { return print("point-mass table in \(output)/point-mass.md") }
            var runs: [HERRun] = []
            let bitList = parsedBits ?? []
            if let merge {
                let order = Dictionary(uniqueKeysWithValues: bitList.enumerated().map { ($1, $0) })
                runs = ShardRuns.unique(try ShardRuns.read(HERRun.self, from: ShardRuns.folders(merge)), by: { "\($0.bits)/\($0.her)/\($0.seed)" })
                    .filter { order[$0.bits] != nil }
                    .sorted { (order[$0.bits] ?? 0, $0.her ? 0 : 1, $0.seed) < (order[$1.bits] ?? 0, $1.her ? 0 : 1, $1.seed) }
                guard !runs.isEmpty else { throw UserError("--merge: no bit-flipping runs for n = \(bits) in \(merge)") }
            }
            var measured: [HERRun] = [], lines: [String] = []
            for n in bitList {
                for her in chosenVariants {
                    for seed in 0..<UInt64(seeds) where mine() {
                        let r = try HERBenchmark.run(bits: n, her: her, seed: seed, steps: steps, regime: HERBenchmark.Regime(rawValue: regime) ?? .sb3)
                        runs.append(r)
                        log(String(format: "athanor bench her: n=%d %@ seed %llu: success %.2f in %.1f s", n, her ? "HER" : "plain", seed, r.success, r.wallSeconds))
                        guard let anchors, seed < UInt64(peerSeeds) else { continue }
                        let (theirs, line) = try HERBenchmark.measurePeer(bits: n, her: her, seed: seed, steps: steps, anchors: anchors, python: python)
                        measured.append(theirs); lines.append(line)
                        try writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: URL(fileURLWithPath: output).appendingPathComponent("peer-runs.jsonl"))
                        log(String(format: "athanor bench her: n=%d %@ seed %llu: Stable-Baselines3 success %.2f in %.1f s", n, her ? "HER" : "plain",
                                   seed, theirs.success, theirs.wallSeconds))
                    }
                }
            }
            let chosen = HERBenchmark.Regime(rawValue: regime) ?? .sb3
            let peerRuns = anchors != nil ? measured : chosen == .sb3 ? HERBenchmark.peerRuns(URL(fileURLWithPath: peer)) : []
            let source = anchors != nil ? "Stable-Baselines3 trained in this run right after ours (`peers/her_bitflip.py`, its lines in `peer-runs.jsonl`)"
                : "`\(peer)`, measured earlier on this machine kind"
            let report = HERReport(runs: runs, peer: peerRuns, peerSource: source, regime: chosen)
            try report.write(to: URL(fileURLWithPath: output))
            try ShardRuns.write(runs, to: URL(fileURLWithPath: output))
            print(report.markdownTable())
            print("tables in \(output)/")
        }
    }
}
