import Foundation

/// The perf figures as a terminal table and as Results/perf.md.
public struct PerfReport {
    public let figures: [String: Double]
    /// PyTorch ÷ Athanor step time in each alternating round (small, large).
    let roundRatios: [(small: Double, large: Double)]
    let torchVersion: String?
    let quick: Bool
    /// SB3 ÷ Athanor training wall time in each round, by agent.
    var trainingRatios: [String: [Double]] = [:]
    var sb3Versions: String?
    /// The same benchmarks by another build (native) in the same rounds.
    var buildComparison: BuildComparison?

    struct Row {
        let benchmark: String, ours: String, reference: String, ratio: String, target: String, met: String
    }

    func format(_ value: Double?, _ digits: Int = 1) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.\(digits)f", value)
    }

    var rows: [Row] {
        let f = figures
        let sgemmRatio = f["sgemm-512-gflops"].flatMap { ours in f["sgemm-512-raw-gflops"].map { ours / $0 } }
        let small = f["mlp-small-speedup-vs-torch"], large = f["mlp-large-speedup-vs-torch"]
        func verdict(_ value: Double?, _ target: Double) -> String {
            guard let value else { return "not run" }
            return value >= target ? "yes" : "no"
        }
        return [
            Row(benchmark: "sgemm 512×512×512, GFLOP/s (Tensor.matmul vs raw cblas_sgemm)",
                ours: format(f["sgemm-512-gflops"]), reference: "raw \(format(f["sgemm-512-raw-gflops"]))",
                ratio: format(sgemmRatio, 3), target: "≥ 0.90 of raw", met: verdict(sgemmRatio, 0.9)),
            Row(benchmark: "MLP 4→64→64→2, batch 64, train step, median µs",
                ours: format(f["mlp-small-step-us"]), reference: "PyTorch \(format(f["torch-mlp-small-step-us"]))",
                ratio: small.map { "\(format($0))× faster" } ?? "—", target: "≥ 20× faster", met: verdict(small, 20)),
            Row(benchmark: "MLP 128→256→256→10, batch 256, train step, median µs",
                ours: format(f["mlp-large-step-us"]), reference: "PyTorch \(format(f["torch-mlp-large-step-us"]))",
                ratio: large.map { "\(format($0, 2))× faster" } ?? "—", target: "≥ 1.5× faster", met: verdict(large, 1.5)),
            Row(benchmark: "MLP 4→64→64→2 step with paper-form ops (matmul + add + tanh, mean((ŷ − y)²)), median µs",
                ours: format(f["mlp-small-unfused-step-us"]), reference: "fused \(format(f["mlp-small-step-us"]))",
                ratio: f["mlp-small-unfused-step-us"].flatMap { u in f["mlp-small-step-us"].map { "fused \(format(u / $0, 2))× faster" } } ?? "—",
                target: "", met: ""),
            Row(benchmark: "PPO clipped surrogate, batch 256, value + gradient: paper form (exp, products, clamp, min, mean), median µs",
                ours: format(f["ppo-surrogate-paper-form-us"]), reference: "fused \(format(f["ppo-surrogate-us"]))",
                ratio: f["ppo-surrogate-paper-form-us"].flatMap { u in f["ppo-surrogate-us"].map { "fused \(format(u / $0, 2))× faster" } } ?? "—",
                target: "", met: ""),
            Row(benchmark: "heap allocations per train step (small / large MLP)",
                ours: "\(format(f["mlp-small-allocs-per-step"])) / \(format(f["mlp-large-allocs-per-step"]))",
                reference: "", ratio: "", target: "0 (aim)",
                met: (f["mlp-small-allocs-per-step"] ?? 1) == 0 ? "yes" : "no"),
            Row(benchmark: "peak resident memory, MiB", ours: format(f["peak-rss-mib"]), reference: "", ratio: "",
                target: "", met: ""),
        ] + environmentRows + trainingRows
    }

    /// PPO and DQN training on CartPole-v1 beside Stable-Baselines3 (targets from the agents issue).
    var trainingRows: [Row] {
        let f = figures
        return [("ppo", "PPO", "1e5"), ("dqn", "DQN", "5e4")].compactMap { key, name, steps in
            guard let ours = f["\(key)-train-s"] else { return nil }
            let speedup = f["\(key)-speedup-vs-sb3"]
            return Row(benchmark: "\(name) CartPole-v1, zoo settings, \(steps) steps, train wall s (final eval)",
                       ours: "\(format(ours, 2)) (\(format(f["\(key)-eval-mean"])))",
                       reference: f["sb3-\(key)-train-s"].map { "SB3 \(format($0, 1)) (\(format(f["sb3-\(key)-eval-mean"])))" } ?? "—",
                       ratio: speedup.map { String(format: "%.1f× faster", $0) } ?? "—", target: "≥ 20× faster",
                       met: speedup.map { $0 >= 20 ? "yes" : "no" } ?? "not run")
        }
    }

    /// Environment steps per second beside Gymnasium's (targets from the environments issue).
    var environmentRows: [Row] {
        let f = figures
        func millions(_ value: Double?) -> String { value.map { String(format: "%.2f M", $0 / 1e6) } ?? "—" }
        let rows: [(String, String, String, Double?)] = [
            ("CartPole-v1, one env, steps/s (Gymnasium: gym.make loop)", "cartpole", "≥ 200× faster", 200),
            ("CartPole-v1, 8 envs, steps/s (Gymnasium: SyncVectorEnv)", "cartpole-vec8", "", nil),
            ("CartPole-v1, 4096 envs, steps/s (ours: CartPoleBatch, 1 thread; Gymnasium: numpy CartPoleVectorEnv)", "cartpole-vec4096", "≥ 3× faster", 3),
            ("FrozenLake-v1 4×4, one env, steps/s (Gymnasium: gym.make loop)", "frozenlake", "", nil),
        ]
        return rows.map { label, key, target, threshold in
            let speedup = f["\(key)-speedup-vs-gymnasium"]
            let met: String
            if let threshold { met = speedup.map { $0 >= threshold ? "yes" : "no" } ?? "not run" } else { met = "" }
            return Row(benchmark: label, ours: millions(f["\(key)-steps-per-s"]),
                       reference: "Gymnasium \(millions(f["gymnasium-\(key)-steps-per-s"]))",
                       ratio: speedup.map { String(format: "%.1f× faster", $0) } ?? "—", target: target, met: met)
        }
    }

    public func table() -> String {
        let header = ["benchmark", "Athanor", "reference", "ratio", "target", "met"]
        let cells = rows.map { [$0.benchmark, $0.ours, $0.reference, $0.ratio, $0.target, $0.met] }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        var text = [line(header), line(widths.map { String(repeating: "-", count: $0) })] + cells.map(line)
        if torchVersion == nil { text.append("(PyTorch not run: add --anchors ../shared/anchors for side-by-side ratios)") }
        return text.joined(separator: "\n")
    }

    public func markdown() -> String {
        var text = """
            # Tensor-core performance

            \(Provenance.current.markdown)\(quick ? " (--quick)" : "") `make perf` regenerates it with the anchors.
            PyTorch figures come from the `mlp_bench` function of `../shared/anchors/torch_micro.py`
            (\(torchVersion.map { "torch \($0)" } ?? "not run this time"), 1 thread), run in alternating rounds with ours
            in the same invocation on the same machine, so speed drift of this shared machine hits both alike.
            Each train step is zero-grad + forward + MSE + backward + Adam (lr 1e-3) on a fixed batch, inside
            `withTensorPool` as a training loop runs it (`athanor train` does); a round's figure is the median of
            individually timed steps after warm-up; the table gives medians over rounds.
            Both sides use one BLAS thread for the MLPs; sgemm uses OpenBLAS's default threads for both columns.
            Environment throughput: random actions, auto-reset, Gymnasium 1.4.0 through the functions of
            `../shared/anchors/env_throughput.py` (pre-drawn actions), Athanor through the typed API,
            `VectorEnvironment` (8 copies on one thread, as SyncVectorEnv) and `CartPoleBatch` (4096 carts as
            arrays on one thread, as Gymnasium's numpy CartPoleVectorEnv).
            Allocations are every malloc/calloc/realloc/memalign in 200 steps after the warm-up, counted by
            interposing glibc's allocator in the CLI (tensor buffers, graph nodes, closure contexts, arrays).

            | benchmark | Athanor | reference | ratio | target | met |
            |---|---:|---:|---:|---|---|

            """
        for row in rows {
            text += "| \(row.benchmark) | \(row.ours) | \(row.reference) | \(row.ratio) | \(row.target) | \(row.met) |\n"
        }
        if !roundRatios.isEmpty {
            let small = roundRatios.map { format($0.small) }.joined(separator: ", ")
            let large = roundRatios.map { format($0.large, 2) }.joined(separator: ", ")
            text += "\nSpeed-up over PyTorch in each round: small MLP \(small); large MLP \(large).\n"
        }
        if let buildComparison { text += "\n" + buildComparison.markdown(format) }
        if !trainingRatios.isEmpty {
            text += "\nTraining: `sb3_train.py` (\(sb3Versions ?? "Stable-Baselines3"), `torch.set_num_threads(1)`, the time of "
            text += "`learn()`) and Athanor's `--preset zoo` run with the same hyper-parameters, seed 0, alternating; Athanor's "
            text += "time is its training loop (`learn`, OpenBLAS on one thread). "
            text += "In brackets: the mean return of 20 deterministic evaluation episodes. Speed-up in each round: "
            text += trainingRatios.sorted { $0.key > $1.key }.map { "\($0.key.uppercased()) " + $0.value.map { format($0) }.joined(separator: ", ") }
                .joined(separator: "; ") + ".\n"
            // The arithmetic floor of DQN's training on this machine, from its measured sgemm rate.
            let tflop = 0.85, gflops = figures["sgemm-512-gflops"] ?? .nan
            let floor = tflop * 1000 / gflops
            text += "\nDQN's arithmetic: 5e4 steps with the zoo's settings make 24,704 gradient steps, each ≈ 17 M multiply-adds "
            text += "(two 256-unit layers at batch 64: online forward and backward, target forward), ≈ \(format(tflop, 2)) TFLOP in all: "
            text += "at this machine's \(format(gflops, 0)) GFLOP/s sgemm (both cores) at least \(format(floor, 1)) s, so at most "
            text += "\(format((figures["sb3-dqn-train-s"] ?? .nan) / floor, 1))× Stable-Baselines3's time here; Athanor takes "
            text += "\(format((figures["dqn-train-s"] ?? .nan) / floor, 1))× that floor (its products are small for OpenBLAS's threads).\n"
        }
        return text
    }
}
