import Foundation

/// The programs a sweep drives (sbatch, squeue, scontrol, sacct, GNU parallel, optuna, Python).
public enum ExternalCommand {
    /// Runs `program` (a path, or a name looked up on PATH) and returns its standard output; a non-zero
    /// exit is an error giving `what` (default: the program) and the last line of its standard error
    /// that is not a warning.
    public static func output(_ program: String, _ arguments: [String], what: String? = nil) throws -> String {
        let process = Process()
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        let what = what ?? program
        // Standard error goes to a file, so neither pipe can fill up and stall the process.
        let errorURL = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-command-\(getpid())-\(UUID().uuidString).err")
        guard FileManager.default.createFile(atPath: errorURL.path, contents: nil), let errorFile = try? FileHandle(forWritingTo: errorURL) else {
            throw SweepError("cannot create a temporary file in \(errorURL.deletingLastPathComponent().path)")
        }
        defer { try? FileManager.default.removeItem(at: errorURL) }
        let out = Pipe()
        (process.standardOutput, process.standardError) = (out, errorFile)
        do { try process.run() } catch { throw SweepError("cannot run \(program): \(error.localizedDescription)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? errorFile.close()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").filter { !$0.contains("Warning") && !$0.contains("optuna_warn") }
            throw SweepError("\(what) failed: \(lines.last.map(String.init) ?? "exit status \(process.terminationStatus)")")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
