import Foundation

/// `sweep local`: the tasks through GNU parallel (or `xargs -P`), each worker one
/// `athanor sweep run SPEC --task I` — the runner a Slurm array uses — with one BLAS thread.
/// Across hosts, GNU parallel's `--sshlogin` runs the same command on each (README: Scaling out).
public struct LocalRunner: Sendable {
    public let athanor: String, spec: String, root: String
    public let jobs: Int
    public let preferParallel: Bool

    public init(athanor: String, spec: String, root: String, jobs: Int, preferParallel: Bool = true) {
        (self.athanor, self.spec, self.root, self.jobs, self.preferParallel) = (athanor, spec, root, jobs, preferParallel)
    }

    /// Runs `tasks`; each task's output goes to `logs/I.log`. A failed task does not stop the others;
    /// the merge reports what did not finish.
    public func run(tasks: [Int], logs: URL) throws {
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        // The paths travel as environment variables, so no quoting can break; {} is a task number.
        // One core per worker: one BLAS thread, and no helper thread in the training loop (ATHANOR_THREADS).
        let worker = "OPENBLAS_NUM_THREADS=1 ATHANOR_THREADS=1 \"$ATHANOR_BIN\" sweep run \"$ATHANOR_SPEC\" --root \"$ATHANOR_ROOT\" --quiet "
            + "--task {} >> \"$ATHANOR_LOGS/{}.log\" 2>&1"
        // --halt never: a failing task leaves the others running; its log says why, and the merge lists it.
        let command = preferParallel && Self.hasGNUParallel
            ? "parallel --will-cite --halt never -j \(jobs) '\(worker)'"
            : "xargs -P \(jobs) -I{} sh -c '\(worker)'"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        (environment["ATHANOR_BIN"], environment["ATHANOR_SPEC"], environment["ATHANOR_ROOT"], environment["ATHANOR_LOGS"]) =
            (athanor, spec, root, logs.path)
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(tasks.map(String.init).joined(separator: "\n").appending("\n").utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    static var hasGNUParallel: Bool {
        (try? ExternalCommand.output("parallel", ["--version"]))?.hasPrefix("GNU parallel") ?? false
    }
}
