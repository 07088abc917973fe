import Foundation

/// A sweep as a Slurm job array: one array index per task, each running `athanor sweep run SPEC
/// --task $SLURM_ARRAY_TASK_ID` — the same task runner `sweep local` uses. A task that is cancelled
/// or preempted gets SIGTERM, checkpoints and stops; requeued (`--requeue`, or `scontrol requeue`),
/// it continues from that checkpoint, so the merged table is the same as an uninterrupted run's.
public struct SlurmSubmission: Sendable {
    public var partition: String?
    public var cpusPerTask = 1
    /// At most this many array tasks at once (`%K`); nil: as many as the cluster gives.
    public var arrayLimit: Int?
    /// A time limit per task (`--time`, e.g. 01:00:00).
    public var time: String?
    /// Only these tasks (e.g. a failed one again); nil: all of them.
    public var tasks: [Int]?

    public init() {}

    /// The `sbatch` script. Paths are absolute, so the script runs from any folder of the cluster
    /// that shares the sweep's file system.
    public func script(for sweep: Sweep, spec: URL, root: URL, athanor: String) -> String {
        let indices = tasks ?? sweep.tasks.map(\.index)
        let array = SweepReport.ranges(indices).replacingOccurrences(of: " ", with: "") + (arrayLimit.map { "%\($0)" } ?? "")
        let logs = sweep.folder.appendingPathComponent("logs").path
        var lines = [
            "#!/bin/bash",
            "# Written by `athanor sweep slurm`: sweep \(sweep.spec.name), \(indices.count) tasks. Submit with: sbatch THIS_FILE",
            "#SBATCH --job-name=athanor-\(sweep.spec.name)",
            "#SBATCH --array=\(array)",
            "#SBATCH --cpus-per-task=\(cpusPerTask)",
            "#SBATCH --ntasks=1",
            "#SBATCH --output=\(logs)/%a.log",
            "#SBATCH --open-mode=append",
            // Back in the queue after a node failure or preemption; the task resumes from its checkpoint.
            "#SBATCH --requeue",
        ]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time { lines.append("#SBATCH --time=\(time)") }
        lines += [
            "set -euo pipefail",
            "echo \"== task $SLURM_ARRAY_TASK_ID (job $SLURM_JOB_ID, restart ${SLURM_RESTART_COUNT:-0}) on $(hostname) at $(date -u +%FT%TZ)\"",
            // The allotted cores, and no more: BLAS threads, and the training loop's helper thread only with a second core.
            "export OPENBLAS_NUM_THREADS=\(cpusPerTask) ATHANOR_THREADS=\(cpusPerTask)",
            // exec: the signal Slurm sends on cancel or preemption reaches athanor, which checkpoints before it stops.
            "exec \(Self.quote(athanor)) sweep run \(Self.quote(spec.path)) --root \(Self.quote(root.path)) --task \"$SLURM_ARRAY_TASK_ID\" --quiet",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// What Slurm says of a submitted array: `sacct` where the cluster keeps accounting, else `scontrol show job`
/// (finished tasks stay there for MinJobAge), then `squeue` (authoritative for tasks pending or running).
/// Tasks Slurm no longer knows are known from their folders alone.
public enum SlurmQueue {
    /// Array index → Slurm state (PENDING, RUNNING, COMPLETED, CANCELLED, …).
    public static func states(job: String) -> [Int: String] {
        var states: [Int: String] = [:]
        if let out = try? ExternalCommand.output("sacct", ["-n", "-P", "-X", "-j", job, "-o", "JobID,State"]) {
            for line in out.split(separator: "\n") {
                let parts = line.split(separator: "|").map(String.init)
                guard parts.count == 2, let index = arrayIndex(parts[0]) else { continue }
                states[index] = String(parts[1].split(separator: " ").first ?? "")
            }
        }
        if states.isEmpty, let out = try? ExternalCommand.output("scontrol", ["-o", "show", "job", job]) {
            states = scontrolStates(out)
        }
        if let out = try? ExternalCommand.output("squeue", ["-h", "-r", "-j", job, "-o", "%i|%T"]) {
            for line in out.split(separator: "\n") {
                let parts = line.split(separator: "|").map(String.init)
                guard parts.count == 2, let index = arrayIndex(parts[0]) else { continue }
                states[index] = parts[1]
            }
        }
        return states
    }

    /// `scontrol -o show job`: one line per array task, `… ArrayTaskId=7 … JobState=COMPLETED …`.
    public static func scontrolStates(_ text: String) -> [Int: String] {
        var states: [Int: String] = [:]
        for line in text.split(separator: "\n") {
            var fields: [Substring: Substring] = [:]
            for pair in line.split(separator: " ") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                fields[pair[..<equals]] = pair[pair.index(after: equals)...]
            }
            if let task = fields["ArrayTaskId"].flatMap({ Int($0) }), let state = fields["JobState"] { states[task] = String(state) }
        }
        return states
    }

    /// `1234_7` → 7.
    static func arrayIndex(_ id: String) -> Int? {
        let parts = id.split(separator: "_")
        return parts.count == 2 ? Int(parts[1]) : nil
    }
}
