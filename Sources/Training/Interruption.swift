import Foundation
import Synchronization

/// Ctrl-C (SIGINT) and SIGTERM as a request to stop training cleanly: `learn` finishes the
/// iteration it is in, writes the checkpoint and metrics, and throws `TrainingInterrupted`.
/// A second signal ends the process at once (exit 130), as a shell user expects.
public enum Interruption {
    private static let requested = Atomic<Bool>(false)
    private nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []
    private static let installing = Mutex(false)

    /// Whether a stop was asked for since `install()`.
    public static var isRequested: Bool { requested.load(ordering: .relaxed) }

    /// Routes SIGINT and SIGTERM here instead of ending the process (idempotent).
    public static func install() {
        installing.withLock { installed in
            guard !installed else { return }
            installed = true
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)  // delivered to the source below instead
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler {
                    if requested.exchange(true, ordering: .relaxed) { exit(130) }
                    FileHandle.standardError.write(Data("\nstopping after this iteration (again to quit at once)\n".utf8))
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Throws `EvaluationInterrupted` once a stop was asked for. Evaluations call it at every step, so a
    /// signal does not wait for their episodes (a planning agent's can take many minutes).
    public static func stopIfRequested(during what: String) throws {
        if isRequested { throw EvaluationInterrupted(during: what) }
    }

    /// Forgets a request (for tests and for a process that trains again).
    public static func reset() { requested.store(false, ordering: .relaxed) }
}

/// An evaluation cut short by SIGINT or SIGTERM (training's checkpoint is already written).
public struct EvaluationInterrupted: Error, CustomStringConvertible {
    public let during: String
    public init(during: String) { self.during = during }
    public var description: String { "interrupted during \(during); nothing of it was recorded" }
}
