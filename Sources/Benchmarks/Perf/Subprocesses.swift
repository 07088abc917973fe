import Foundation

// The Python anchors (../shared/anchors) and other programs run beside ours: each prints a
// JSON object on its last line.

/// The Python that runs the anchors: `python` when given, else ~/.venvs/anchors/bin/python if it exists, else python3.
func anchorsInterpreter(_ python: String?) -> String {
    let venv = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".venvs/anchors/bin/python").path
    return python ?? (FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3")
}

/// Runs a Python snippet (one thread for the numeric libraries) and parses its last line as JSON.
func runPython(_ interpreter: String, _ script: String, what: String) throws -> [String: Any] {
    try runJSONCommand(interpreter, arguments: ["-c", script], what: what)
}

/// Runs a program (Python, or another build of athanor) with one BLAS/OpenMP thread (in `directory`, if given) and returns the JSON
/// object on the last line it prints; its stderr is discarded.
func runJSONCommand(_ interpreter: String, arguments: [String], in directory: URL? = nil, what: String,
                    environment extra: [String: String] = [:]) throws -> [String: Any] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [interpreter] + arguments
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["OMP_NUM_THREADS"] = "1"
    environment["MKL_NUM_THREADS"] = "1"
    environment.merge(extra) { $1 }
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { throw BenchmarkError("cannot start \(interpreter): \(error.localizedDescription)") }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
          let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw BenchmarkError("\(what) failed (exit \(process.terminationStatus)); is its Python environment set up (make perf does it)?")
    }
    return object
}
