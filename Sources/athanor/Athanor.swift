import CAllocationCounter
import ArgumentParser
import Foundation
import Tensor
import Training

@main
struct Athanor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "athanor",
        abstract: "Reinforcement learning from first principles: environments, agents and benchmarks.",
        discussion: """
            Commands that report take --json and then print exactly one JSON document on stdout;
            progress goes to stderr. Errors are one line on stderr with a non-zero exit status.
            """,
        version: athanorVersion,
        subcommands: [Perf.self, EnvCommand.self, Train.self, Eval.self, Watch.self, Plot.self, Bench.self, DatasetCommand.self, LMCommand.self, SweepCommand.self, Tune.self]
    )

    /// Like ArgumentParser's `main`, but every error is one line on stderr (no usage dump).
    static func main() {
        keepFreedMemory()
        if let problem = Build.unsupportedCPU {
            FileHandle.standardError.write(Data("athanor: \(problem)\n".utf8))
            Foundation.exit(1)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let interrupted as TrainingInterrupted {
            FileHandle.standardError.write(Data("\nathanor: \(interrupted)\n".utf8))
            Foundation.exit(130)
        } catch let interrupted as EvaluationInterrupted {
            FileHandle.standardError.write(Data("\nathanor: \(interrupted)\n".utf8))
            Foundation.exit(130)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))  // --help, --version
            } else {
                let message = oneLine(error)
                FileHandle.standardError.write(Data("athanor: \(message)\n".utf8))
            }
            Foundation.exit(code.rawValue)
        }
    }
}

let athanorVersion = "0.1.0"

/// Tensors of a training step are freed and allocated again every step. glibc's defaults hand
/// memory above 128 KiB back to the kernel at once (trim, or mmap per block), so each step
/// would page-fault its buffers in afresh (measured: 12 % of PPO's time in the kernel). Keep it.
func keepFreedMemory() { athanor_keep_freed_memory() }

/// A failure the user can act on: printed as one line, exit status 1.
struct UserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Progress and logs go to stderr so that stdout holds only results.
func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// An error as one line: ours say what went wrong; Foundation's file errors are reduced to the
/// path and the system's reason.
func oneLine(_ error: Error) -> String {
    if let cocoa = error as? CocoaError {
        let path = cocoa.filePath ?? (cocoa.userInfo[NSFilePathErrorKey] as? String) ?? "a file"
        return "cannot use \(path): \(cocoa.reason)"
    }
    let text = Athanor.message(for: error)
    return text.split(separator: "\n").first.map(String.init) ?? "\(error)"
}
