import ArgumentParser
import Benchmarks
import Foundation

extension Bench {
    struct ModelBased: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "model-based",
            abstract: "PETS and MBPO beside SAC and PPO, return against real steps; writes Results/model-based/.",
            discussion: """
                On CartPoleContinuous-v0: PETS (10 trials of 200 steps), MBPO, SAC and PPO; on Pendulum-v1: MBPO with a fifth \\
                of the zoo's SAC budget, and that SAC. Each runs on seeds 0, 1, … with --preset zoo where hyperparams/ has an \\
                entry. PETS' trials are its curve; the others are evaluated (10 deterministic episodes) as they train. The report \\
                puts PETS' trials beside MBRL-Lib's (--peer) and its planning time per real step beside MBRL-Lib's.
                """
        )
        @Option(help: "reference (MBRL-Lib's settings) or reduced (PETS with a twentieth of the planning, MBPO on CartPole for 2000 steps).")
        var regime = "reference"
        @Option(help: "Seeds per agent.") var seeds = 5
        @Option(help: "Only these entries, comma-separated, as agent@environment (e.g. pets@CartPoleContinuous-v0,mbpo@Pendulum-v1).")
        var only: String?
        @Flag(help: "Keep the runs already in the output folder's runs.jsonl for the entries not run now.") var append = false
        @Flag(help: "Train nothing: rebuild the report from the output folder's runs.jsonl (e.g. after joining several machines' runs).")
        var reportOnly = false
        @Option(help: "MBRL-Lib's PETS runs (JSON lines).") var peer = "../shared/anchors/peers/pets_results.jsonl"
        @Option(help: "Output folder.") var output = "Results/model-based"
        @Flag(help: "Train nothing: time PETS' planning at MBRL-Lib's settings (one planned trial, seed 0) beside MBRL-Lib's (--mbrl-python); writes planning-speed.md.")
        var planningSpeed = false
        @Option(help: "With --planning-speed: the planned trial's length in real steps.") var plannedSteps = 30
        @Option(help: "With --planning-speed: the Python of MBRL-Lib 0.2.0's environment (../shared/anchors/README.md); none: ours alone.")
        var mbrlPython: String?
        @Option(help: "With --planning-speed: MBRL-Lib's PETS example script.") var mbrlScript = Self.defaultMBRLScript
        static let defaultMBRLScript = "../shared/anchors/peers/pets_cartpole.py"
        @OptionGroup var sharding: ShardOptions
        var merge: String? { sharding.merge }

        var chosenRegime: ModelBasedBenchmark.Regime { ModelBasedBenchmark.Regime(rawValue: regime) ?? .reference }
        var chosen: [ModelBasedBenchmark.Entry] {
            let all = ModelBasedBenchmark.entries(chosenRegime)
            guard let only else { return all }
            let names = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return all.filter { names.contains("\($0.agent)@\($0.environment)") }
        }

        func validate() throws {
            guard ModelBasedBenchmark.Regime(rawValue: regime) != nil else { throw ValidationError("--regime must be reference or reduced, not '\(regime)'") }
            guard (1...100).contains(seeds) else { throw ValidationError("--seeds must be in 1…100") }
            guard (1...200).contains(plannedSteps) else { throw ValidationError("--planned-steps must be in 1…200 (a trial's length)") }
            if mbrlPython != nil && !planningSpeed { throw ValidationError("--mbrl-python goes with --planning-speed") }
            if mbrlPython != nil && !FileManager.default.fileExists(atPath: mbrlScript) {
                throw ValidationError("--mbrl-script: no file at \(mbrlScript) (MBRL-Lib's PETS example, ../shared/anchors/peers/pets_cartpole.py)")
            }
            if planningSpeed && (reportOnly || merge != nil || only != nil || sharding.shard != nil || append || regime != "reference") {
                throw ValidationError("--planning-speed times PETS at the reference settings and trains nothing else: drop --report-only, --merge, --only, --shard, --append and --regime")
            }
            if mbrlScript != Self.defaultMBRLScript && mbrlPython == nil { throw ValidationError("--mbrl-script goes with --mbrl-python") }
            let known = ModelBasedBenchmark.entries(chosenRegime).map { "\($0.agent)@\($0.environment)" }
            for name in only?.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) ?? [] where !known.contains(name) {
                throw ValidationError("unknown entry '\(name)'; entries: \(known.joined(separator: ", "))")
            }
        }

        func run() throws {
            let folder = URL(fileURLWithPath: output)
            if planningSpeed { return try measurePlanningSpeed(into: folder) }
            var runs: [ModelBasedRun] = []
            if append || reportOnly, let text = try? String(contentsOf: folder.appendingPathComponent("runs.jsonl"), encoding: .utf8) {
                let kept = text.split(separator: "\n").compactMap { try? JSONDecoder().decode(ModelBasedRun.self, from: Data($0.utf8)) }
                runs = reportOnly ? kept : kept.filter { run in !chosen.contains { $0.agent == run.agent && $0.environment == run.environment } }
            }
            if let merge {
                let key = { (r: ModelBasedRun) in chosen.firstIndex { $0.agent == r.agent && $0.environment == r.environment } ?? -1 }
                runs = ShardRuns.unique(try ShardRuns.read(ModelBasedRun.self, from: ShardRuns.folders(merge)), by: { "\($0.agent)/\($0.environment)/\($0.seed)" })
                    .filter { key($0) >= 0 }
                    .sorted { (key($0), $0.seed) < (key($1), $1.seed) }
                guard !runs.isEmpty else { throw ValidationError("--merge: no runs of the chosen entries in \(merge)") }
            }
            let part = try sharding.part()
            var position = -1
            for entry in reportOnly || merge != nil ? [] : chosen {
                for seed in 0..<UInt64(seeds) {
                    position += 1
                    guard part.includes(position) else { continue }
                    let r = try ModelBasedBenchmark.run(entry, seed: seed)
                    runs.append(r)
                    log(String(format: "athanor bench model-based: %@ seed %llu: best %.1f after %d steps in %.1f s", entry.label, seed, r.best, r.steps, r.wallSeconds))
                }
            }
            let pets = ModelBasedBenchmark.entries(chosenRegime).first { $0.agent == "pets" }
            let report = ModelBasedReport(runs: runs, regime: chosenRegime, peer: ModelBasedBenchmark.peerTrials(URL(fileURLWithPath: peer)),
                                          peerSource: "`\(peer)`", sgemmGFLOPS: ModelBasedBenchmark.sgemmGFLOPS(),
                                          planningRowsPerStep: pets.flatMap { try? ModelBasedBenchmark.planningRows($0) })
            try report.write(to: folder)
            print(report.markdown())
            print("tables in \(output)/")
        }

        /// `--planning-speed`: ours, then MBRL-Lib's, then both sgemm peaks, into planning-speed.md.
        func measurePlanningSpeed(into folder: URL) throws {
            log("athanor bench model-based: planning speed, ours (\(plannedSteps) planned steps)")
            let ours = try PlanningSpeed.ours(seed: 0, steps: plannedSteps)
            log(String(format: "athanor bench model-based: ours %.3f s per planned step", ours.secondsPerStep))
            var peer: PlanningSpeed.Measurement?
            if let mbrlPython {
                log("athanor bench model-based: planning speed, MBRL-Lib")
                let theirs = try PlanningSpeed.mbrlLib(python: mbrlPython, script: mbrlScript, seed: 0, steps: plannedSteps)
                log(String(format: "athanor bench model-based: MBRL-Lib %.3f s per planned step", theirs.secondsPerStep))
                peer = theirs
            }
            let text = try PlanningSpeed.markdown(ours: ours, peer: peer, sgemmBothCores: ModelBasedBenchmark.sgemmGFLOPS(threads: nil),
                                                  sgemmOneCore: ModelBasedBenchmark.sgemmGFLOPS(threads: 1))
            try PlanningSpeed.write(text, to: folder)
            print(text)
        }
    }
}
