import ArgumentParser
import Foundation
import NN

struct Perf: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Micro-benchmarks of the tensor core, optionally beside PyTorch; writes Results/perf.md.",
        discussion: """
            With --anchors DIR the MLP benchmarks of DIR/torch_micro.py (PyTorch, 1 thread) run in
            alternating rounds with ours, so a machine whose speed drifts affects both alike; each
            ratio is the median over rounds of PyTorch's median step over ours.
            --json prints one object of fixed names: sgemm-512-gflops, sgemm-512-raw-gflops,
            mlp-small-step-us, mlp-large-step-us, mlp-small-allocs-per-step,
            mlp-large-allocs-per-step, peak-rss-mib, and with anchors torch-mlp-small-step-us,
            torch-mlp-large-step-us, mlp-small-speedup-vs-torch, mlp-large-speedup-vs-torch;
            environment steps: cartpole-steps-per-s, cartpole-vec8-steps-per-s,
            cartpole-vec4096-steps-per-s, frozenlake-steps-per-s, and with anchors gymnasium-NAME and
            NAME-speedup-vs-gymnasium for each (e.g. cartpole-speedup-vs-gymnasium); "machine": the CPU, \
            the build (baseline or native), the OpenBLAS version and kernels, the command.
            """
    )

    @Flag(help: "Print one JSON object on stdout instead of the table.")
    var json = false

    @Flag(help: "Fewer repetitions (a quick look; noisier).")
    var quick = false

    @Option(help: "Folder of the Python anchors (e.g. ../shared/anchors): run torch_micro.py's MLP benchmarks beside ours.")
    var anchors: String?

    @Option(help: "Python with torch for the anchors (default: ~/.venvs/anchors/bin/python, else python3).")
    var python: String?

    @Option(help: "Alternating rounds of PyTorch and Athanor when --anchors is given.")
    var rounds = 3

    @Flag(help: "Also time PPO (1e5 steps) and DQN (5e4 steps) training on CartPole-v1 with the zoo's settings; with --anchors, beside Stable-Baselines3's sb3_train.py (about 2 minutes a round).")
    var training = false

    @Option(help: "Another build of athanor (e.g. .build-native/release/athanor, which `make perf` builds): run its benchmarks in each round too and report what the baseline build costs against it.")
    var compareBuild: String?

    @Option(help: "Where to write the Markdown table.")
    var output = "Results/perf.md"

    @Flag(help: "Do not write the Markdown table.")
    var noWrite = false

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        let anchor = try anchors.map { try TorchAnchor(folder: $0, python: python) }
        log("athanor perf: sgemm 512³ …")
        let sgemm = PerfBenchmarks.sgemm(calls: quick ? 50 : 300)

        var smallRounds: [PerfBenchmarks.StepResult] = [], largeRounds: [PerfBenchmarks.StepResult] = []
        var torchRounds: [TorchAnchor.Figures] = []
        var environmentRounds: [EnvironmentBenchmarks.Figures] = [], gymRounds: [EnvironmentBenchmarks.Figures] = []
        func median(_ values: [Double]) -> Double { values.sorted().median }
        var figures: [String: Double] = [:]
        var trainingRounds: [String: [TrainingBenchmarks.Figures]] = [:], sb3Rounds: [String: [TrainingBenchmarks.Figures]] = [:]
        var trainingRatios: [String: [Double]] = [:], sb3Versions: String?
        let gym = anchor.map { GymnasiumAnchor(folder: $0.folder, interpreter: $0.interpreter) }
        var otherBuildRounds: [[String: Double]] = [], otherBuild: String?
        for round in 1...(anchor == nil ? 1 : rounds) {
            if let gym {
                log("athanor perf: round \(round): Gymnasium step throughput …")
                gymRounds.append(try gym.measure(seconds: quick ? 0.5 : 2))
            }
            log("athanor perf: round \(round): environment step throughput …")
            environmentRounds.append(EnvironmentBenchmarks.measure(seconds: quick ? 0.3 : 1))
            if let anchor {
                log("athanor perf: round \(round): PyTorch MLP steps …")
                torchRounds.append(try anchor.measure())
            }
            log("athanor perf: round \(round): MLP steps …")
            // One BLAS thread, as the PyTorch anchor (torch.set_num_threads(1)); OpenBLAS's second
            // thread does not pay off at these sizes anyway.
            BLAS.setThreadCount(1)
            smallRounds.append(PerfBenchmarks.mlpStep(sizes: [4, 64, 64, 2], batch: 64, warmup: 200, steps: quick ? 500 : 2000))
            largeRounds.append(PerfBenchmarks.mlpStep(sizes: [128, 256, 256, 10], batch: 256, warmup: 50, steps: quick ? 200 : 1000))
            BLAS.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
            if let compareBuild {
                log("athanor perf: round \(round): the other build's benchmarks …")
                let (figures, build) = try BuildComparison.measure(compareBuild, training: training, quick: quick)
                otherBuildRounds.append(figures)
                otherBuild = build
            }
            if training {
                for agent in ["ppo", "dqn"] {
                    if let anchor {
                        log("athanor perf: round \(round): Stable-Baselines3 \(agent) training …")
                        let (figures, versions) = try TrainingBenchmarks.stableBaselines(agent, anchors: anchor.folder, interpreter: anchor.interpreter)
                        sb3Rounds[agent, default: []].append(figures)
                        sb3Versions = versions
                    }
                    log("athanor perf: round \(round): \(agent) training …")
                    trainingRounds[agent, default: []].append(try TrainingBenchmarks.ours(agent))
                }
            }
        }
        for agent in ["ppo", "dqn"] {
            guard let ours = trainingRounds[agent] else { continue }
            figures["\(agent)-train-s"] = median(ours.map(\.seconds))
            figures["\(agent)-eval-mean"] = median(ours.map(\.evalMean))
            if let theirs = sb3Rounds[agent] {
                figures["sb3-\(agent)-train-s"] = median(theirs.map(\.seconds))
                figures["sb3-\(agent)-eval-mean"] = median(theirs.map(\.evalMean))
                figures["\(agent)-speedup-vs-sb3"] = median(zip(theirs, ours).map { $0.seconds / $1.seconds })
                trainingRatios[agent] = zip(theirs, ours).map { $0.seconds / $1.seconds }
            }
        }

        figures.merge([
            "sgemm-512-gflops": sgemm.ours,
            "sgemm-512-raw-gflops": sgemm.raw,
            "mlp-small-step-us": median(smallRounds.map(\.medianMicroseconds)),
            "mlp-large-step-us": median(largeRounds.map(\.medianMicroseconds)),
            "peak-rss-mib": peakResidentMiB(),
        ]) { _, new in new }
        if let a = smallRounds.last?.allocationsPerStep { figures["mlp-small-allocs-per-step"] = a }
        if let a = largeRounds.last?.allocationsPerStep { figures["mlp-large-allocs-per-step"] = a }
        var ratios: [(small: Double, large: Double)] = []
        if !torchRounds.isEmpty {
            ratios = zip(torchRounds, zip(smallRounds, largeRounds)).map { torch, ours in
                (torch.smallStep / ours.0.medianMicroseconds, torch.largeStep / ours.1.medianMicroseconds)
            }
            figures["torch-mlp-small-step-us"] = median(torchRounds.map(\.smallStep))
            figures["torch-mlp-large-step-us"] = median(torchRounds.map(\.largeStep))
            figures["mlp-small-speedup-vs-torch"] = median(ratios.map(\.small))
            figures["mlp-large-speedup-vs-torch"] = median(ratios.map(\.large))
        }

        let environmentKeys: [(String, KeyPath<EnvironmentBenchmarks.Figures, Double>)] = [
            ("cartpole-steps-per-s", \.cartPole), ("cartpole-vec8-steps-per-s", \.cartPoleVector8),
            ("cartpole-vec4096-steps-per-s", \.cartPoleVector4096), ("frozenlake-steps-per-s", \.frozenLake),
        ]
        for (name, path) in environmentKeys {
            figures[name] = median(environmentRounds.map { $0[keyPath: path] })
            if !gymRounds.isEmpty {
                figures["gymnasium-" + name] = median(gymRounds.map { $0[keyPath: path] })
                figures[name.replacingOccurrences(of: "-steps-per-s", with: "-speedup-vs-gymnasium")] =
                    median(zip(environmentRounds, gymRounds).map { $0[keyPath: path] / $1[keyPath: path] })
            }
        }

        var report = PerfReport(figures: figures, roundRatios: ratios, torchVersion: torchRounds.first?.version, quick: quick,
                                trainingRatios: trainingRatios, sb3Versions: sb3Versions)
        if let otherBuild {
            report.buildComparison = BuildComparison(other: otherBuild, ours: figures, rounds: otherBuildRounds)
        }
        if !noWrite {
            try writeAtomically(Data(report.markdown().utf8), to: URL(fileURLWithPath: output))
            log("athanor perf: wrote \(output)")
        }
        if json {
            var object: [String: Any] = figures
            object["machine"] = Provenance.current.json
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(report.table())
            print(Provenance.current.markdown)
        }
    }
}

/// The PyTorch side: torch_micro.py's own `mlp_bench`, imported and run for the two MLPs.
struct TorchAnchor {
    struct Figures { let smallStep: Double, largeStep: Double, version: String }
    let folder: String
    let interpreter: String

    init(folder: String, python: String?) throws {
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: folder).appendingPathComponent("torch_micro.py").path) else {
            throw UserError("no torch_micro.py in \(folder)")
        }
        self.folder = folder
        let venv = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".venvs/anchors/bin/python").path
        interpreter = python ?? (FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3")
    }

    func measure() throws -> Figures {
        let script = """
            import json, sys
            sys.argv = ["torch_micro.py", "1"]
            sys.path.insert(0, \(String(reflecting: folder)))
            import torch, torch_micro
            small = torch_micro.mlp_bench([4, 64, 64, 2], 64)["train_step"]["median_us"]
            large = torch_micro.mlp_bench([128, 256, 256, 10], 256)["train_step"]["median_us"]
            print(json.dumps({"small": small, "large": large, "torch": torch.__version__}))
            """
        let object = try runPython(interpreter, script, what: "the PyTorch anchor")
        guard let small = (object["small"] as? NSNumber)?.doubleValue,
              let large = (object["large"] as? NSNumber)?.doubleValue else {
            throw UserError("the PyTorch anchor gave no MLP figures")
        }
        return Figures(smallStep: small, largeStep: large, version: object["torch"] as? String ?? "?")
    }
}
