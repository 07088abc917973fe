import ArgumentParser
import Foundation
import NN

struct Perf: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Micro-benchmarks of the tensor core, optionally beside PyTorch; writes Results/perf.md.",
        discussion: """
            With --anchors DIR the PyTorch anchor (DIR/torch_micro.py, 1 thread) runs in the same
            invocation and the table shows ratios. --json prints one object of fixed names:
            sgemm-512-gflops, sgemm-512-raw-gflops, mlp-small-step-us, mlp-large-step-us,
            mlp-small-allocs-per-step, mlp-large-allocs-per-step, peak-rss-mib, and with anchors
            torch-mlp-small-step-us, torch-mlp-large-step-us, torch-sgemm-512-gflops,
            mlp-small-speedup-vs-torch, mlp-large-speedup-vs-torch.
            """
    )

    @Flag(help: "Print one JSON object on stdout instead of the table.")
    var json = false

    @Flag(help: "Fewer repetitions (a quick look; noisier).")
    var quick = false

    @Option(help: "Folder of the Python anchors (e.g. ../shared/anchors): run torch_micro.py beside us.")
    var anchors: String?

    @Option(help: "Python with torch for the anchors (default: ~/.venvs/anchors/bin/python, else python3).")
    var python: String?

    @Option(help: "Read PyTorch figures from this torch_micro.py JSON instead of running it.")
    var anchorResults: String?

    @Option(help: "Where to write the Markdown table.")
    var output = "Results/perf.md"

    @Flag(help: "Do not write the Markdown table.")
    var noWrite = false

    func run() throws {
        let torch = try loadAnchor()
        log("athanor perf: sgemm 512³ …")
        let calls = quick ? 50 : 300
        let sgemm = PerfBenchmarks.sgemm(calls: calls)
        // The MLP steps run on one BLAS thread, as the PyTorch anchor does (torch.set_num_threads(1));
        // OpenBLAS's second thread does not pay off at these sizes anyway.
        setBLASThreadCount(1)
        defer { setBLASThreadCount(ProcessInfo.processInfo.activeProcessorCount) }
        log("athanor perf: MLP 4→64→64→2, batch 64 …")
        let small = PerfBenchmarks.mlpStep(sizes: [4, 64, 64, 2], batch: 64, warmup: 200, steps: quick ? 500 : 2000)
        log("athanor perf: MLP 128→256→256→10, batch 256 …")
        let large = PerfBenchmarks.mlpStep(sizes: [128, 256, 256, 10], batch: 256, warmup: 50, steps: quick ? 200 : 1000)

        var figures: [String: Double] = [
            "sgemm-512-gflops": sgemm.ours,
            "sgemm-512-raw-gflops": sgemm.raw,
            "mlp-small-step-us": small.medianMicroseconds,
            "mlp-large-step-us": large.medianMicroseconds,
            "peak-rss-mib": peakResidentMiB(),
        ]
        if let a = small.allocationsPerStep { figures["mlp-small-allocs-per-step"] = a }
        if let a = large.allocationsPerStep { figures["mlp-large-allocs-per-step"] = a }
        if let torch {
            figures["torch-mlp-small-step-us"] = torch.smallStep
            figures["torch-mlp-large-step-us"] = torch.largeStep
            figures["torch-sgemm-512-gflops"] = torch.sgemm
            figures["mlp-small-speedup-vs-torch"] = torch.smallStep / small.medianMicroseconds
            figures["mlp-large-speedup-vs-torch"] = torch.largeStep / large.medianMicroseconds
        }

        let report = PerfReport(figures: figures, torchVersion: torch?.version, quick: quick)
        if !noWrite {
            try writeAtomically(Data(report.markdown().utf8), to: URL(fileURLWithPath: output))
            log("athanor perf: wrote \(output)")
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(report.table())
        }
    }

    struct TorchFigures {
        let smallStep: Double, largeStep: Double, sgemm: Double, version: String
    }

    /// PyTorch's figures: from a given JSON, or by running the anchor script now.
    func loadAnchor() throws -> TorchFigures? {
        var path = anchorResults
        if path == nil, let anchors {
            let script = URL(fileURLWithPath: anchors).appendingPathComponent("torch_micro.py")
            guard FileManager.default.fileExists(atPath: script.path) else {
                throw UserError("no torch_micro.py in \(anchors)")
            }
            let home = FileManager.default.homeDirectoryForCurrentUser.path
            let interpreter = python ?? (FileManager.default.isExecutableFile(atPath: "\(home)/.venvs/anchors/bin/python")
                ? "\(home)/.venvs/anchors/bin/python" : "/usr/bin/env")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-anchor-\(getpid())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            log("athanor perf: running the PyTorch anchor (\(script.path), 1 thread; about a minute) …")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: interpreter)
            process.arguments = (interpreter == "/usr/bin/env" ? ["python3"] : []) + [script.path, "1", "athanor"]
            process.currentDirectoryURL = directory
            var environment = ProcessInfo.processInfo.environment
            environment["OMP_NUM_THREADS"] = "1"
            environment["MKL_NUM_THREADS"] = "1"
            process.environment = environment
            process.standardOutput = FileHandle.standardError
            do { try process.run() } catch { throw UserError("cannot start \(interpreter): \(error.localizedDescription)") }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw UserError("the PyTorch anchor failed (exit \(process.terminationStatus)); is torch installed for \(interpreter)?")
            }
            path = directory.appendingPathComponent("torch_micro_t1_runathanor.json").path
        }
        guard let path else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw UserError("cannot read anchor results \(path)")
        }
        func number(_ keys: String...) -> Double? {
            var node: Any? = root
            for key in keys { node = (node as? [String: Any])?[key] }
            return (node as? NSNumber)?.doubleValue
        }
        guard let small = number("mlp_small", "train_step", "median_us"),
              let large = number("mlp_large", "train_step", "median_us"),
              let sgemm = number("sgemm512", "gflops_median") else {
            throw UserError("anchor results \(path) lack mlp_small/mlp_large/sgemm512 figures")
        }
        return TorchFigures(smallStep: small, largeStep: large, sgemm: sgemm, version: root["torch"] as? String ?? "?")
    }
}
