import Foundation
import NN
import Tensor

/// `athanor perf`: the tensor core's micro-benchmarks, environment throughput and (optionally)
/// training time, each beside its Python anchor when the anchors' folder is given, in alternating
/// rounds so that a machine whose speed drifts affects both sides alike.
public struct PerfSuite {
    /// Folder of ../shared/anchors (nil: ours alone).
    public var anchors: String?
    /// Python with torch, Gymnasium and Stable-Baselines3 (default: ~/.venvs/anchors/bin/python, else python3).
    public var python: String?
    public var rounds = 3
    public var quick = false
    /// Also time PPO and DQN training on CartPole-v1 (and Stable-Baselines3's, with anchors).
    public var training = false
    /// Another build of athanor whose figures go beside ours (what the portable build costs).
    public var compareBuild: String?
    /// Heap allocations so far in this process, if the executable counts them (the CLI interposes malloc).
    public var allocationCount: (() -> UInt64)?
    /// Where progress lines go.
    public var progress: (String) -> Void = { _ in }

    public init() {}

    public func run() throws -> PerfReport {
        let anchor = try anchors.map { try TorchAnchor(folder: $0, python: python) }
        progress("sgemm 512³ …")
        BLAS.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)  // the machine's peak: every core
        let sgemm = PerfBenchmarks.sgemm(calls: quick ? 50 : 300)

        var smallRounds: [PerfBenchmarks.StepResult] = [], largeRounds: [PerfBenchmarks.StepResult] = [], unfusedRounds: [Double] = []
        var surrogateRounds: [(fused: Double, paperForm: Double)] = []
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
                progress("round \(round): Gymnasium step throughput …")
                gymRounds.append(try gym.measure(seconds: quick ? 0.5 : 2))
            }
            progress("round \(round): environment step throughput …")
            environmentRounds.append(EnvironmentBenchmarks.measure(seconds: quick ? 0.3 : 1))
            if let anchor {
                progress("round \(round): PyTorch MLP steps …")
                torchRounds.append(try anchor.measure())
            }
            progress("round \(round): MLP steps …")
            // One BLAS thread, as the PyTorch anchor (torch.set_num_threads(1)); OpenBLAS's second
            // thread does not pay off at these sizes anyway.
            BLAS.setThreadCount(1)
            smallRounds.append(PerfBenchmarks.mlpStep(sizes: [4, 64, 64, 2], batch: 64, warmup: 200, steps: quick ? 500 : 2000, allocations: allocationCount))
            unfusedRounds.append(PerfBenchmarks.unfusedMLPStep(sizes: [4, 64, 64, 2], batch: 64, warmup: 200, steps: quick ? 500 : 2000))
            // The zoo's PPO CartPole minibatch: 8 envs × 32 steps / 1 minibatch = 256.
            surrogateRounds.append(PerfBenchmarks.clippedSurrogate(batch: 256, warmup: 200, steps: quick ? 1000 : 5000))
            largeRounds.append(PerfBenchmarks.mlpStep(sizes: [128, 256, 256, 10], batch: 256, warmup: 50, steps: quick ? 200 : 1000, allocations: allocationCount))
            BLAS.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
            if let compareBuild {
                progress("round \(round): the other build's benchmarks …")
                let (figures, build) = try BuildComparison.measure(compareBuild, training: training, quick: quick)
                otherBuildRounds.append(figures)
                otherBuild = build
            }
            if training {
                for agent in ["ppo", "dqn"] {
                    if let anchor {
                        progress("round \(round): Stable-Baselines3 \(agent) training …")
                        let (figures, versions) = try TrainingBenchmarks.stableBaselines(agent, anchors: anchor.folder, interpreter: anchor.interpreter)
                        sb3Rounds[agent, default: []].append(figures)
                        sb3Versions = versions
                    }
                    progress("round \(round): \(agent) training …")
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
            "mlp-small-unfused-step-us": median(unfusedRounds),
            "ppo-surrogate-us": median(surrogateRounds.map(\.fused)),
            "ppo-surrogate-paper-form-us": median(surrogateRounds.map(\.paperForm)),
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
        return report
    }
}

/// The PyTorch side: torch_micro.py's own `mlp_bench`, imported and run for the two MLPs.
struct TorchAnchor {
    struct Figures { let smallStep: Double, largeStep: Double, version: String }
    let folder: String
    let interpreter: String

    init(folder: String, python: String?) throws {
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: folder).appendingPathComponent("torch_micro.py").path) else {
            throw BenchmarkError("no torch_micro.py in \(folder)")
        }
        self.folder = folder
        interpreter = anchorsInterpreter(python)
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
            throw BenchmarkError("the PyTorch anchor gave no MLP figures")
        }
        return Figures(smallStep: small, largeStep: large, version: object["torch"] as? String ?? "?")
    }
}
