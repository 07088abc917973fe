import ArgumentParser
import Benchmarks
import CAllocationCounter
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
            mlp-small-step-us, mlp-large-step-us, mlp-small-unfused-step-us (the paper-form ops), ppo-surrogate-us and ppo-surrogate-paper-form-us, mlp-small-allocs-per-step,
            mlp-large-allocs-per-step, peak-rss-mib, and with anchors torch-mlp-small-step-us,
            torch-mlp-large-step-us, mlp-small-speedup-vs-torch, mlp-large-speedup-vs-torch;
            environment steps: cartpole-steps-per-s, cartpole-vec8-steps-per-s,
            cartpole-vec4096-steps-per-s, frozenlake-steps-per-s, and with anchors gymnasium-NAME and
            NAME-speedup-vs-gymnasium for each (e.g. cartpole-speedup-vs-gymnasium); "machine": the CPU, \\
            the build (baseline or native), the OpenBLAS version and kernels, the command.
            """
    )

    @Flag(help: "Print one JSON object on stdout instead of the table.") var json = false
    @Flag(help: "Fewer repetitions (a quick look; noisier).") var quick = false
    @Option(help: "Folder of the Python anchors (e.g. ../shared/anchors): run torch_micro.py's MLP benchmarks beside ours.")
    var anchors: String?
    @Option(help: "Python with torch for the anchors (default: ~/.venvs/anchors/bin/python, else python3).") var python: String?
    @Option(help: "Alternating rounds of PyTorch and Athanor when --anchors is given.") var rounds = 3
    @Flag(help: "Also time PPO (1e5 steps) and DQN (5e4 steps) training on CartPole-v1 with the zoo's settings; with --anchors, beside Stable-Baselines3's sb3_train.py (about 2 minutes a round).")
    var training = false
    @Option(help: "Another build of athanor (e.g. .build-native/release/athanor, which `make perf` builds): run its benchmarks in each round too and report what the baseline build costs against it.")
    var compareBuild: String?
    @Option(help: "Where to write the Markdown table.") var output = "Results/perf.md"
    @Flag(help: "Do not write the Markdown table.") var noWrite = false

    func validate() throws {
        guard (1...1000).contains(rounds) else { throw ValidationError("--rounds must be in 1…1000") }
    }

    func run() throws {
        var suite = PerfSuite()
        (suite.anchors, suite.python, suite.rounds, suite.quick) = (anchors, python, rounds, quick)
        (suite.training, suite.compareBuild) = (training, compareBuild)
        suite.allocationCount = { athanor_allocation_count() }
        suite.progress = { log("athanor perf: \($0)") }
        let report = try suite.run()
        if !noWrite {
            try writeAtomically(Data(report.markdown().utf8), to: URL(fileURLWithPath: output))
            log("athanor perf: wrote \(output)")
        }
        if json {
            var object: [String: Any] = report.figures
            object["machine"] = Provenance.current.json
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(report.table())
            print(Provenance.current.markdown)
        }
    }
}
