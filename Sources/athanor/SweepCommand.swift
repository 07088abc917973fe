import ArgumentParser
import Foundation
import NN
import Sweeps
import Training

/// `athanor sweep`: a grid of runs as numbered tasks that any number of workers — local processes,
/// a Slurm job array, several hosts sharing the folder — run one at a time, then one merged table.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Grids of runs as numbered tasks: plan, run one, run them locally or on Slurm, status, merge.",
        discussion: """
            SPEC is a YAML file (see `athanor sweep plan --help` and the README's "Scaling out"). Tasks live in \\
            ROOT/NAME/tasks/I/ (ROOT: --root, default sweeps): a finished task is skipped, a partial one resumes from \\
            its checkpoint, so running a task twice, or requeueing it, changes nothing.
            """,
        subcommands: [Plan.self, Run.self, Local.self, Slurm.self, Status.self, Merge.self]
    )

    struct Common: ParsableArguments {
        @Argument(help: "The sweep spec (YAML).") var spec: String
        @Option(help: "Folder that holds the sweeps (default: sweeps).") var root = "sweeps"

        func sweep() throws -> Sweep {
            try Sweep(spec: SweepSpec(contentsOf: URL(fileURLWithPath: spec)), root: URL(fileURLWithPath: root))
        }
    }
}

extension SweepCommand {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Expand the spec into its numbered tasks (writes ROOT/NAME/plan.json) and list them.",
            discussion: """
                Spec keys: name; agents and envs (ids, or {id: ID, options: {n: 8}}) — or bench: classic with \\
                optional only: ENV or ENV/AGENT entries; seeds (a count or a list); preset (default | zoo); steps; \\
                set (name: value fixes a setting, name: [v1, v2] sweeps it); evaluations, eval_episodes, \\
                final_episodes; checkpoint_every. Task numbers follow entry, then settings, then seed.
                """
        )
        @OptionGroup var common: Common
        @Flag(help: "Print one JSON document: {\"name\", \"tasks\": [{\"index\", \"agent\", \"env\", \"seed\", \"settings\"}]}.") var json = false

        func run() throws {
            let sweep = try common.sweep()
            let tasks = try sweep.plan()
            if json {
                try printJSON(["name": sweep.spec.name, "folder": sweep.folder.path,
                               "tasks": tasks.map { ["index": $0.index, "agent": $0.agent, "env": $0.environment.label,
                                                     "seed": $0.seed, "settings": $0.settings] as [String: Any] }])
            } else {
                for t in tasks { print("\(t.index)\t\(t.key)") }
                print("\(tasks.count) tasks; plan in \(sweep.planURL.path)")
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one task (what each worker of `sweep local` and of a Slurm array does).",
            discussion: "Idempotent: a finished task prints its result again; a partial one continues from its checkpoint. SIGINT/SIGTERM checkpoint and stop (exit 130)."
        )
        @OptionGroup var common: Common
        @Option(help: "The task's number (0-based, as `sweep plan` lists).") var task: Int
        @Flag(help: "No progress line.") var quiet = false

        func run() throws {
            let sweep = try common.sweep()
            let progress = ProgressLine(environment: sweep.tasks.indices.contains(task) ? sweep.tasks[task].environment.label : "", quiet: quiet)
            Interruption.install()
            let outcome: Sweep.Outcome
            do {
                outcome = try sweep.run(task: task, progress: [progress.callback])
            } catch var interrupted as TrainingInterrupted {
                interrupted.resumeCommand = "athanor sweep run \(common.spec) --root \(common.root) --task \(task)"
                throw interrupted
            }
            progress.finish()
            switch outcome {
            case .alreadyDone(let r):
                print(String(format: "task %d (%@) was already done: final %.1f, best %.1f", task, r.task.key, r.run.evalMean, r.run.bestMean))
            case .finished(let r):
                print(String(format: "task %d (%@): final %.1f ± %.1f, best %.1f ± %.1f, %d steps in %.1f s", task, r.task.key,
                             r.run.evalMean, r.run.evalStd, r.run.bestMean, r.run.bestStd, r.run.steps, r.run.wallSeconds))
            }
        }
    }

    struct Local: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every unfinished task on this machine, J at a time, through GNU parallel (or xargs -P).",
            discussion: "Each worker is `athanor sweep run SPEC --task I` with one BLAS thread; the merged table follows (`sweep merge`)."
        )
        @OptionGroup var common: Common
        @Option(help: "Workers at once (default: the number of cores).") var jobs = ProcessInfo.processInfo.activeProcessorCount
        @Flag(help: "Use xargs -P even when GNU parallel is installed.") var xargs = false

        func validate() throws {
            guard (1...1024).contains(jobs) else { throw ValidationError("--jobs must be in 1…1024") }
        }

        func run() throws {
            let sweep = try common.sweep()
            try sweep.plan()
            let states = try sweep.states()
            let todo = sweep.tasks.indices.filter { states[$0] != .done }
            log("athanor sweep local: \(todo.count) of \(sweep.tasks.count) tasks to run, \(jobs) at a time")
            if !todo.isEmpty {
                let runner = LocalRunner(athanor: try executablePath(), spec: common.spec, root: common.root, jobs: jobs,
                                         preferParallel: !xargs)
                try runner.run(tasks: todo, logs: sweep.folder.appendingPathComponent("logs"))
            }
            let report = SweepReport(sweep: sweep, results: try sweep.results())
            let folder = sweep.folder.appendingPathComponent("merged")
            try report.write(to: folder)
            print(report.markdownTable())
            guard report.missing.isEmpty else {
                throw UserError("tasks \(report.missing.map(String.init).joined(separator: ", ")) did not finish (logs in \(sweep.folder.path)/logs)")
            }
            print("merged table in \(folder.path)/")
        }
    }

    struct Slurm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the sweep's sbatch job-array script (one array index per task) and, with --submit, submit it.",
            discussion: "The script runs `athanor sweep run SPEC --task $SLURM_ARRAY_TASK_ID` with --requeue; logs go to ROOT/NAME/logs/I.log."
        )
        @OptionGroup var common: Common
        @Option(help: "Slurm partition.") var partition: String?
        @Option(help: "CPUs per task (and BLAS threads).") var cpusPerTask = 1
        @Option(help: "At most K array tasks at once (--array=…%K).") var arrayLimit: Int?
        @Option(help: "Time limit per task, e.g. 02:00:00.") var time: String?
        @Option(help: "Only these tasks, comma-separated (default: the unfinished ones).") var tasks: String?
        @Flag(help: "Submit with sbatch and print the job id.") var submit = false

        func validate() throws {
            guard (1...4096).contains(cpusPerTask) else { throw ValidationError("--cpus-per-task must be in 1…4096") }
            if let arrayLimit, !(1...100_000).contains(arrayLimit) { throw ValidationError("--array-limit must be in 1…100000") }
            if let partition, partition.isEmpty || partition.contains(where: { $0.isWhitespace || $0 == "'" }) {
                throw ValidationError("--partition must be a partition name")
            }
            if let time, time.isEmpty || !time.allSatisfy({ $0.isNumber || ":-".contains($0) }) {
                throw ValidationError("--time must be a Slurm time such as 30:00 or 1-02:00:00")
            }
        }

        func run() throws {
            let sweep = try common.sweep()
            try sweep.plan()
            var submission = SlurmSubmission()
            (submission.partition, submission.cpusPerTask, submission.arrayLimit, submission.time) = (partition, cpusPerTask, arrayLimit, time)
            if let tasks {
                submission.tasks = try tasks.split(separator: ",").map { part in
                    guard let i = Int(part.trimmingCharacters(in: .whitespaces)), sweep.tasks.indices.contains(i) else {
                        throw UserError("--tasks: '\(part)' is not a task of \(sweep.spec.name) (0…\(sweep.tasks.count - 1))")
                    }
                    return i
                }
            } else {
                let states = try sweep.states()
                submission.tasks = sweep.tasks.indices.filter { states[$0] != .done }
            }
            guard let chosen = submission.tasks, !chosen.isEmpty else {
                print("every task of \(sweep.spec.name) is done; nothing to submit (athanor sweep merge \(common.spec))")
                return
            }
            let spec = URL(fileURLWithPath: common.spec).standardizedFileURL
            let root = URL(fileURLWithPath: common.root).standardizedFileURL
            let text = submission.script(for: sweep, spec: spec, root: root, athanor: try executablePath())
            try FileManager.default.createDirectory(at: sweep.folder.appendingPathComponent("logs"), withIntermediateDirectories: true)
            let script = sweep.folder.appendingPathComponent("sweep.sbatch")
            try writeAtomically(Data(text.utf8), to: script)
            guard submit else {
                print("wrote \(script.path) (\(chosen.count) tasks); submit with: sbatch \(script.path)")
                return
            }
            let output = try ExternalCommand.output("sbatch", ["--parsable", script.path]).trimmingCharacters(in: .whitespacesAndNewlines)
            let job = String(output.split(separator: ";").first ?? "")
            guard !job.isEmpty, job.allSatisfy(\.isNumber) else { throw UserError("sbatch printed no job id: \(output)") }
            try writeAtomically(Data((job + "\n").utf8), to: sweep.folder.appendingPathComponent("slurm_job"))
            print(job)
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Where each task stands: done, running, partial (a checkpoint), pending — and Slurm's view of a submitted array.",
            discussion: "Slurm's states come from squeue and, where the cluster keeps accounting, sacct, for the job id `sweep slurm --submit` recorded."
        )
        @OptionGroup var common: Common
        @Flag(help: "Print one JSON document: {\"name\", \"counts\", \"tasks\": [{\"index\", \"state\", \"slurm\"}]}.") var json = false

        func run() throws {
            let sweep = try common.sweep()
            let states = try sweep.states()
            let job = (try? String(contentsOf: sweep.folder.appendingPathComponent("slurm_job"), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let slurm = job.map { SlurmQueue.states(job: $0) } ?? [:]
            var counts: [String: Int] = [:]
            for s in states { counts[s.rawValue, default: 0] += 1 }
            if json {
                try printJSON(["name": sweep.spec.name, "tasks_total": sweep.tasks.count, "counts": counts, "slurm_job": job ?? NSNull(),
                               "tasks": sweep.tasks.map { t in ["index": t.index, "key": t.key, "state": states[t.index].rawValue,
                                                                 "slurm": slurm[t.index] ?? NSNull()] as [String: Any] }])
            } else {
                for t in sweep.tasks {
                    print("\(t.index)\t\(states[t.index].rawValue)\(slurm[t.index].map { "\t" + $0 } ?? "")\t\(t.key)")
                }
                let order: [Sweep.TaskState] = [.done, .running, .partial, .pending]
                print(order.map { "\(counts[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ") + (job.map { "; Slurm job \($0)" } ?? ""))
            }
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the sweep's table, plots and aggregates from the finished tasks into ROOT/NAME/merged/.",
            discussion: "scores.csv holds no wall times: it is the same file however and wherever the tasks ran. Unfinished tasks are listed, not guessed."
        )
        @OptionGroup var common: Common
        @Option(help: "Output folder (default ROOT/NAME/merged).") var output: String?
        @Flag(help: "Fail (exit 1) unless every task is done.") var complete = false

        func run() throws {
            let sweep = try common.sweep()
            let report = SweepReport(sweep: sweep, results: try sweep.results())
            if complete && !report.missing.isEmpty {
                throw UserError("\(report.missing.count) of \(sweep.tasks.count) tasks of \(sweep.spec.name) are not done")
            }
            let folder = output.map(URL.init(fileURLWithPath:)) ?? sweep.folder.appendingPathComponent("merged")
            try report.write(to: folder)
            print(report.markdownTable())
            print("\(sweep.tasks.count - report.missing.count) of \(sweep.tasks.count) tasks merged into \(folder.path)/")
        }
    }
}

/// The path of the running `athanor`, for the commands it hands to workers.
func executablePath() throws -> String {
    guard let path = Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments.first else {
        throw UserError("cannot tell where this athanor executable is")
    }
    return path
}
