import Benchmarks
import Foundation
import NN
import Training

/// What a finished task leaves in `tasks/I/result.json`: the task and its scores.
public struct SweepResult: Codable, Sendable {
    public var task: SweepTask
    public var run: ClassicRun
}

/// A sweep on disk, `ROOT/NAME/`: `plan.json` (the numbered tasks), `tasks/I/` (one run directory
/// each, `result.json` once finished), `logs/`, and `merged/` (the table of whatever is done).
/// Any number of processes on any number of hosts sharing the folder may run its tasks.
public struct Sweep: Sendable {
    public let spec: SweepSpec
    public let tasks: [SweepTask]
    public let folder: URL

    public init(spec: SweepSpec, root: URL) throws {
        self.spec = spec
        self.tasks = try spec.tasks()
        self.folder = root.appendingPathComponent(spec.name)
    }

    public var planURL: URL { folder.appendingPathComponent("plan.json") }
    public func taskFolder(_ index: Int) -> URL { folder.appendingPathComponent("tasks/\(index)") }
    func resultURL(_ index: Int) -> URL { taskFolder(index).appendingPathComponent("result.json") }

    private struct Plan: Codable { var name: String; var tasks: [SweepTask] }

    /// Writes `plan.json`, or checks that the one there lists the same tasks: a spec edited after its
    /// sweep started would renumber them, so it is refused (give the edited spec a new name).
    @discardableResult
    public func plan() throws -> [SweepTask] {
        if let data = try? Data(contentsOf: planURL) {
            guard let earlier = try? JSONDecoder().decode(Plan.self, from: data) else {
                throw SweepError("\(planURL.path) is not a sweep plan (remove it to plan again)")
            }
            guard earlier.tasks == tasks else {
                throw SweepError("the spec of \(spec.name) changed since \(planURL.path) was written (\(earlier.tasks.count) tasks then, \(tasks.count) now); give the edited spec a new name")
            }
            return tasks
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(Plan(name: spec.name, tasks: tasks)), to: planURL)
        return tasks
    }

    public enum Outcome: Sendable { case finished(SweepResult), alreadyDone(SweepResult) }

    /// Runs task `index` into `tasks/index/`: a finished task is left as it is, a task with a checkpoint
    /// continues from it (exactly: the result equals an uninterrupted run's), another one starts.
    /// A task another process is running (its lock is held) is refused.
    public func run(task index: Int, progress: [any TrainingCallback] = []) throws -> Outcome {
        guard tasks.indices.contains(index) else {
            throw SweepError("task \(index) is not in \(spec.name): its tasks are 0…\(tasks.count - 1)")
        }
        try plan()
        if let done = try result(index) { return .alreadyDone(done) }
        let taskFolder = taskFolder(index)
        try FileManager.default.createDirectory(at: taskFolder, withIntermediateDirectories: true)
        let lock = try TaskLock(taskFolder.appendingPathComponent(".lock"), task: index)
        defer { lock.release() }
        if let done = try result(index) { return .alreadyDone(done) }  // finished while we waited for the lock
        let task = tasks[index]
        let run = RunDirectory(url: taskFolder.appendingPathComponent("run"), environment: task.environment)
        let steps = spec.steps
        let checkpointEvery = spec.checkpointEvery ?? Swift.max(1, (steps ?? 100_000) / 10)
        let scored = try ClassicBenchmark.run(agent: task.agent, environment: task.environment,
                                              recipe: .init(preset: spec.preset, settings: task.settings), seed: task.seed,
                                              steps: steps, evaluations: spec.evaluations,
                                              episodesPerEvaluation: spec.episodesPerEvaluation, finalEpisodes: spec.finalEpisodes,
                                              run: run, checkpointEvery: checkpointEvery, callbacks: progress)
        let result = SweepResult(task: task, run: scored)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = Self.nonFinite  // a curve's first points have no finished episode yet
        try writeAtomically(try encoder.encode(result), to: resultURL(index))
        return .finished(result)
    }

    /// Task `index`'s result, nil while it is not finished; a damaged or foreign result file is an error.
    public func result(_ index: Int) throws -> SweepResult? {
        guard let data = try? Data(contentsOf: resultURL(index)) else { return nil }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = Self.nonFiniteDecoding
        guard let result = try? decoder.decode(SweepResult.self, from: data) else {
            throw SweepError("\(resultURL(index).path) is damaged (remove it and run task \(index) again)")
        }
        guard result.task == tasks[index] else {
            throw SweepError("\(resultURL(index).path) is the result of another task (\(result.task.key)), not \(tasks[index].key)")
        }
        return result
    }

    static let nonFinite = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    static let nonFiniteDecoding = JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

    public enum TaskState: String, Sendable { case done, running, partial, pending }

    /// Where each task stands, from its folder alone: done (a result), running (its lock is held),
    /// partial (a checkpoint to resume from), pending.
    public func states() throws -> [TaskState] {
        try tasks.indices.map { index in
            if try result(index) != nil { return .done }
            let folder = taskFolder(index)
            if TaskLock.isHeld(folder.appendingPathComponent(".lock")) { return .running }
            return RunDirectory(url: folder.appendingPathComponent("run")).hasCheckpoint ? .partial : .pending
        }
    }

    /// The finished tasks' results, in task order.
    public func results() throws -> [SweepResult] { try tasks.indices.compactMap { try result($0) } }
}

/// An exclusive `flock` on a task's lock file, held while the task runs; the kernel drops it
/// when the process dies, so a killed worker leaves no stale lock behind.
final class TaskLock: Sendable {
    private let descriptor: Int32

    init(_ url: URL, task: Int) throws {
        descriptor = open(url.path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SweepError("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw SweepError("task \(task) is running in another process (\(url.path) is locked)")
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    static func isHeld(_ url: URL) -> Bool {
        let fd = open(url.path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return true
    }
}
