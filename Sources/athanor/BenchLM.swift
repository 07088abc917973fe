import ArgumentParser
import Benchmarks
import Foundation
import TinyLM

extension Bench {
    struct LM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lm",
            abstract: "Pretrain the tiny GPT once, RL fine-tune it on several seeds, score both on the test set; writes Results/lm/.",
            discussion: """
                Pretraining: the anchor's settings and stop rule (val clean ≥ 95 %). RL: --algo (grpo by default) for --steps steps on \\
                seeds 0, 1, …; greedy exact match and pass@1 / pass@8 before and after, beside the anchor's recorded TRL and plain-torch \\
                tables (--peer). With --anchors and --python, the anchor's pretrain.py, grpo_trl.py and grpo_torch.py (seed 0) run in \\
                the same invocation for the speed ratios. With --shard I/N a part runs the RL seeds that are I modulo N: every part \
                pretrains the same model (--merge refuses parts that did not), and the anchors, with every seed's RL from the anchor's \
                model, run in part 0.
                """
        )
        @Option(help: "RL seeds.") var seeds = 3
        @Option(help: "RL steps per seed.") var steps = 300
        @Option(help: "grpo, dr-grpo, rloo or reinforce.") var algo = "grpo"
        @Option(help: "The anchor's folder (pretrain.py, grpo_trl.py, grpo_torch.py) to run side by side.") var anchors: String?
        @Option(help: "The Python with torch, transformers and TRL for --anchors.") var python: String?
        @Option(help: "The anchor's recorded results.") var peer = "../shared/anchors/llm/results"
        @Option(help: "Output folder.") var output = "Results/lm"
        @OptionGroup var sharding: ShardOptions
        var merge: String? { sharding.merge }

        func validate() throws {
            guard (1...20).contains(seeds) else { throw ValidationError("--seeds must be in 1…20") }
            guard (1...100_000).contains(steps) else { throw ValidationError("--steps must be in 1…100000") }
            guard ["grpo", "dr-grpo", "rloo", "reinforce"].contains(algo) else { throw ValidationError("unknown algorithm '\(algo)'; algorithms: grpo, dr-grpo, rloo, reinforce") }
            guard (anchors == nil) == (python == nil) else { throw ValidationError("--anchors and --python go together") }
            if let python, !FileManager.default.isExecutableFile(atPath: python) { throw ValidationError("--python \(python) is not an executable") }
        }

        /// The parts' results as one: the pretraining of the first part (every part must have made the same model),
        /// every RL seed once, the anchors' figures from the part that ran them.
        func merged(_ list: String) throws -> LMBenchmark.Results {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let parts = try ShardRuns.folders(list).map { folder in
                let url = folder.appendingPathComponent("results.json")
                guard let data = try? Data(contentsOf: url) else { throw UserError("--merge: \(url.path) is missing (has that part finished?)") }
                guard let results = try? decoder.decode(LMBenchmark.Results.self, from: data) else { throw UserError("--merge: \(url.path) is not bench lm's results") }
                return results
            }
            guard var results = parts.first else { throw UserError("--merge needs at least one folder") }
            for part in parts.dropFirst() {
                guard part.pretrained.steps == results.pretrained.steps, part.pretrained.lastLoss == results.pretrained.lastLoss else {
                    throw UserError("--merge: the parts pretrained different models (\(results.pretrained.steps) and \(part.pretrained.steps) steps): another machine or build")
                }
                results.runs += part.runs
                results.runsFromAnchorModel += part.runsFromAnchorModel
                results.anchors = results.anchors ?? part.anchors
                results.anchorPretrained = results.anchorPretrained ?? part.anchorPretrained
            }
            results.runs = ShardRuns.unique(results.runs, by: \.seed).sorted { $0.seed < $1.seed }
            results.runsFromAnchorModel = ShardRuns.unique(results.runsFromAnchorModel, by: \.seed).sorted { $0.seed < $1.seed }
            return results
        }

        func run() throws {
            if let merge {
                let report = LMReport(results: try merged(merge), peerFolder: URL(fileURLWithPath: peer))
                try report.write(to: URL(fileURLWithPath: output))
                print(report.markdown())
                return print("tables in \(output)/")
            }
            let part = try sharding.part()
            let mySeeds = (0..<UInt64(seeds)).filter { part.includes(Int($0)) }
            let (model, pretrained) = try LMBenchmark.pretrain { log("athanor bench lm: \($0)") }
            log(String(format: "athanor bench lm: pretrained %d steps, %.0f tokens/s, test greedy %.1f %%", pretrained.steps,
                       pretrained.tokensPerSecond, 100 * pretrained.test.greedy.overall))
            var runs: [LMBenchmark.RLRun] = []
            for seed in mySeeds {
                let run = try LMBenchmark.reinforce(model, algo: algo, seed: seed, steps: steps)
                log(String(format: "athanor bench lm: %@ seed %llu: %.3f s/step, test greedy %.1f %% (carry %.1f %%)", algo, seed, run.secondsPerStep,
                           100 * run.after.greedy.overall, 100 * run.after.greedy.carry))
                runs.append(run)
            }
            var results = LMBenchmark.Results(pretrained: pretrained, runs: runs, anchors: nil)
            if let anchors, let python, part.index == 0 {
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-lm-anchors-\(getpid())")
                defer { try? FileManager.default.removeItem(at: scratch) }
                results.anchors = LMBenchmark.measureAnchors(folder: URL(fileURLWithPath: anchors), python: python, scratch: scratch) {
                    log("athanor bench lm: \($0)")
                }
                // The like-for-like comparison: our RL from the anchor's own pretrained weights.
                let theirs = scratch.appendingPathComponent("ckpt/pretrained")
                if let model = try? GPT.loadHuggingFace(from: theirs) {
                    results.anchorPretrained = try model.additionReport(on: AdditionSplits().test)
                    for seed in 0..<UInt64(seeds) {  // all of them: only part 0 has the anchor's model
                        let run = try LMBenchmark.reinforce(model, algo: algo, seed: seed, steps: steps)
                        log(String(format: "athanor bench lm: %@ seed %llu from the anchor's model: test greedy %.1f %% (carry %.1f %%)", algo, seed,
                                   100 * run.after.greedy.overall, 100 * run.after.greedy.carry))
                        results.runsFromAnchorModel.append(run)
                    }
                } else {
                    log("athanor bench lm: the anchor's pretrained model is not at \(theirs.path); no runs from it")
                }
            }
            let report = LMReport(results: results, peerFolder: URL(fileURLWithPath: peer))
            try report.write(to: URL(fileURLWithPath: output))
            print(report.markdown())
            print("tables in \(output)/")
        }
    }
}
