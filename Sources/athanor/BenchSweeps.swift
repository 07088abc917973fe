import ArgumentParser
import Benchmarks
import Foundation
import NN
import Sweeps

extension Bench {
    /// How sweep throughput scales with local workers: the same spec run from scratch with 1, 2, …
    /// workers (`sweep local --jobs J`), tasks per hour each, and the speed-up over one worker.
    struct Sweeps: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sweeps",
            abstract: "Tasks per hour of `sweep local` with 1, 2, … workers on this machine; writes Results/sweeps/.",
            discussion: "Each worker count runs the whole spec from an empty folder (every task trains from scratch); the merged scores must be identical for every count, or the bench fails."
        )
        @Option(help: "The sweep spec.") var spec = "examples/sweeps/cartpole-lr.yml"
        @Option(help: "Worker counts, comma-separated.") var jobs = "1,2"
        @Option(help: "Output folder.") var output = "Results/sweeps"

        var counts: [Int]? {
            let items = jobs.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            return items.contains(nil) || items.isEmpty ? nil : items.compactMap { $0 }
        }

        func validate() throws {
            guard let counts, counts.allSatisfy({ (1...256).contains($0) }) else { throw ValidationError("--jobs must be counts in 1…256 separated by commas") }
        }

        func run() throws {
            let spec = try SweepSpec(contentsOf: URL(fileURLWithPath: self.spec))
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-bench-sweeps-\(getpid())")
            defer { try? FileManager.default.removeItem(at: scratch) }
            var rows: [(jobs: Int, seconds: Double, tasks: Int)] = []
            var reference: String?
            for count in counts ?? [] {
                let root = scratch.appendingPathComponent("jobs\(count)")
                let sweep = try Sweep(spec: spec, root: root)
                try sweep.plan()
                log("athanor bench sweeps: \(sweep.tasks.count) tasks with \(count) worker\(count == 1 ? "" : "s") …")
                let start = Date()
                try LocalRunner(athanor: try executablePath(), spec: self.spec, root: root.path, jobs: count)
                    .run(tasks: sweep.tasks.map(\.index), logs: sweep.folder.appendingPathComponent("logs"))
                let seconds = Date().timeIntervalSince(start)
                let report = SweepReport(sweep: sweep, results: try sweep.results())
                guard report.missing.isEmpty else { throw UserError("with \(count) workers, tasks \(report.missing) did not finish (logs in \(sweep.folder.path)/logs)") }
                if let reference, reference != report.scoresCSV { throw UserError("the merged scores with \(count) workers differ from the first run's") }
                reference = report.scoresCSV
                rows.append((count, seconds, sweep.tasks.count))
                log(String(format: "athanor bench sweeps: %d workers: %.1f s, %.0f tasks/hour", count, seconds, Double(sweep.tasks.count) * 3600 / seconds))
            }
            let base = rows.first.map { Double($0.tasks) / $0.seconds } ?? 1
            var md = "# Sweep throughput: local workers\n\n\(Provenance.current.markdown)\n\n"
            md += "Regenerate: `athanor bench sweeps --spec \(self.spec) --jobs \(jobs)`. Each row runs the whole spec (\(rows.first?.tasks ?? 0) tasks: "
            md += "`\(spec.name)`) from an empty folder through `athanor sweep local --jobs J` (GNU parallel; each worker one core: one BLAS thread and no helper thread, "
            md += "`ATHANOR_THREADS=1`); "
            md += "the merged scores are identical for every J (checked). Speed-up: tasks per hour over one worker's.\n\n"
            md += "| workers | wall s | tasks / hour | speed-up |\n|---:|---:|---:|---:|\n"
            for r in rows {
                let rate = Double(r.tasks) / r.seconds
                md += String(format: "| %d | %.1f | %.0f | %.2f× |\n", r.jobs, r.seconds, rate * 3600, rate / base)
            }
            let folder = URL(fileURLWithPath: output)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("index.md"))
            let json: [String: Any] = ["machine": Provenance.current.json, "spec": self.spec,
                                       "rows": rows.map { ["workers": $0.jobs, "wall_s": $0.seconds, "tasks": $0.tasks] }]
            try writeAtomically(try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]),
                                to: folder.appendingPathComponent("results.json"))
            print(md)
        }
    }
}
