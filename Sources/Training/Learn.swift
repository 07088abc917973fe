import Agents
import Foundation
import NN
import RL
import Tensor
import Threads

/// What a call of `learn` did.
public struct TrainingSummary: Sendable {
    /// Environment steps done (across resumptions).
    public var steps: Int
    /// Seconds of training (across resumptions).
    public var wallSeconds: Double
    /// The mean training return of the last 100 episodes after each iteration.
    public var curve: [CurvePoint]
}

extension DeepAgent {
    /// Trains until the agent has taken `totalSteps` environment steps (its budget unless
    /// given; the schedules run over the budget either way), as Stable-Baselines3's `learn`.
    ///
    /// With a run directory, `learn` writes `config.json` for a fresh agent, metrics after every
    /// iteration, and an atomic checkpoint every `checkpointEvery` steps (0: only at the end) and
    /// at the end. An agent restored from the run's checkpoint (`load(from:)`) continues it:
    /// the metrics logged after its checkpoint are dropped, the callbacks' state is restored,
    /// and the result equals a run that was never interrupted. A loss that stops being finite
    /// ends training with `TrainingError.nonFinite`.
    ///
    /// With `Interruption.install()` called, SIGINT or SIGTERM ends training after the current
    /// iteration (or within it, for an agent whose `iterate(stoppingWhen:)` can stop part-way): the
    /// checkpoint and metrics are written and `TrainingInterrupted` is thrown.
    ///
    /// Each iteration runs in a `TensorPool`, with subnormal floats flushed to zero, OpenBLAS on
    /// one thread (these networks are small; its thread count is restored after) and, on a
    /// process allowed a second core (`Cores.usable`: its affinity, and `ATHANOR_THREADS`), a `HelperThread` for the independent parts of each step
    /// (an actor's and a critic's passes) and for half of the rows of each large product.
    @discardableResult
    public func learn(totalSteps: Int? = nil, run: RunDirectory? = nil, checkpointEvery: Int = 50_000,
                      callbacks: [any TrainingCallback] = []) throws -> TrainingSummary {
        let threads = BLAS.threadCount
        BLAS.setThreadCount(1)
        defer { BLAS.setThreadCount(threads) }
        var loop = TrainingLoop(agent: self, target: Swift.min(totalSteps ?? self.totalSteps, self.totalSteps), run: run,
                                checkpointEvery: checkpointEvery, callbacks: callbacks) { run in
            guard let environment = run.environment ?? (try? run.configuration())?.environment else {
                throw RunError.noEnvironment(run.path)
            }
            var configuration = RunConfiguration(of: self, environment: environment)
            configuration.checkpointEvery = checkpointEvery
            configuration.evaluation = callbacks.lazy.compactMap { $0 as? EvalCallback }.first?.settings
            try run.write(configuration)
            return MetricsLog.rows(describing: configuration)
        }
        return try withSubnormalsFlushedToZero { try loop.train() }
    }
}

/// The loop behind `learn`, for any `Trainable`.
struct TrainingLoop {
    let agent: any Trainable
    let target: Int
    let run: RunDirectory?
    let checkpointEvery: Int
    let callbacks: [any TrainingCallback]
    /// Writes a new run's `config.json`; returns what TensorBoard's Text tab shows of it.
    let describeNewRun: (RunDirectory) throws -> [(String, String)]
    /// The command that continues the run (`athanor train`), for the interruption message.
    let resumeCommand: String
    private var previousWall = 0.0
    private var curve: [CurvePoint] = []
    private var recent: [Double] = []  // returns of the last 100 episodes

    init(agent: any Trainable, target: Int, run: RunDirectory?, checkpointEvery: Int, callbacks: [any TrainingCallback],
         resumeCommand: String = "athanor train", describeNewRun: @escaping (RunDirectory) throws -> [(String, String)]) {
        (self.agent, self.target, self.run, self.checkpointEvery, self.callbacks, self.resumeCommand, self.describeNewRun) =
            (agent, target, run, checkpointEvery, callbacks, resumeCommand, describeNewRun)
    }

    mutating func train() throws -> TrainingSummary {
        var log = try run.map { try prepare($0) }
        let start = DispatchTime.now().uptimeNanoseconds
        let previousWall = self.previousWall
        func wall() -> Double { previousWall + Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var nextCheckpoint = nextMultiple(after: agent.stepsDone)
        let pool = TensorPool()  // each iteration's tensors and graph nodes reuse the last one's buffers
        let helper = Cores.usable > 1 ? HelperThread() : nil
        func iterate() throws -> TrainingReport {
            let stop = { Interruption.isRequested }
            guard let helper else { return try withTensorPool(pool) { try agent.iterate(stoppingWhen: stop) } }
            return try withHelperThread(helper) { try withTensorPool(pool) { try agent.iterate(stoppingWhen: stop) } }
        }
        while agent.stepsDone < target && !agent.isFinished {
            let stepsBefore = agent.stepsDone, startWall = wall()
            var report = try iterate()
            if report.isUnfinished {  // stopped part-way: its steps are in the checkpoint; it is logged once it ends
                try saveCheckpoint(wall: wall())
                try log?.close()
                throw TrainingInterrupted(steps: agent.stepsDone, run: run, resumeCommand: resumeCommand)
            }
            recent += report.episodes.map(\.totalReward)
            if recent.count > 100 { recent.removeFirst(recent.count - 100) }
            let meanReturn = recent.isEmpty ? Double.nan : recent.reduce(0, +) / Double(recent.count)
            curve.append(CurvePoint(steps: report.steps, meanReturn: meanReturn))
            let iteration = Iteration(agent: agent, report: report, stepsBefore: stepsBefore, totalSteps: target,
                                      wallSeconds: wall(), startWallSeconds: startWall, meanReturn: meanReturn, run: run)
            for callback in callbacks { report.metrics += try callback.afterIteration(iteration) }
            try log?.append(report, wall: iteration.wallSeconds, meanReturn: meanReturn)
            if Interruption.isRequested {
                try saveCheckpoint(wall: wall())
                try log?.close()
                throw TrainingInterrupted(steps: agent.stepsDone, run: run, resumeCommand: resumeCommand)
            }
            if checkpointEvery > 0, agent.stepsDone >= nextCheckpoint, agent.stepsDone < target, !agent.isFinished {
                try saveCheckpoint(wall: wall())
                nextCheckpoint = nextMultiple(after: agent.stepsDone)
            }
        }
        let wallSeconds = wall()
        try saveCheckpoint(wall: wallSeconds)
        try log?.close()
        return TrainingSummary(steps: agent.stepsDone, wallSeconds: wallSeconds, curve: curve)
    }

    /// A fresh agent starts the run (config.json, empty metrics); a restored one continues it.
    private mutating func prepare(_ run: RunDirectory) throws -> MetricsLog {
        if agent.stepsDone == 0 {
            try run.prepareForNewRun()
            let rows = try describeNewRun(run)
            try MetricsLog.truncate(run.url, toSteps: 0)
            let log = try MetricsLog(directory: run.url)
            try log.logConfiguration(rows: rows)
            return log
        } else {
            try run.createFolder()
            run.removeStaleTemporaryFiles()
            if run.hasCheckpoint, let metadata = try? SafeTensors.readMetadata(from: run.checkpointURL),
               metadata["steps_done"].flatMap(Int.init) == agent.stepsDone {
                previousWall = metadata["wall_s"].flatMap(Double.init).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } ?? 0
                for callback in callbacks { callback.restore(state: metadata) }
            }
            (curve, recent) = try MetricsLog.truncate(run.url, toSteps: agent.stepsDone)
        }
        return try MetricsLog(directory: run.url)
    }

    private func nextMultiple(after steps: Int) -> Int {
        checkpointEvery > 0 ? (steps / checkpointEvery + 1) * checkpointEvery : .max
    }

    private func saveCheckpoint(wall: Double) throws {
        guard let run else { return }
        var checkpoint = try agent.checkpoint()
        checkpoint.metadata["wall_s"] = "\(wall)"
        checkpoint.metadata["steps_done"] = "\(agent.stepsDone)"
        for callback in callbacks { checkpoint.metadata.merge(callback.state()) { _, new in new } }
        try run.write(checkpoint, to: run.checkpointURL)
    }
}

/// Training stopped by SIGINT or SIGTERM after an iteration, its checkpoint written.
public struct TrainingInterrupted: Error, CustomStringConvertible {
    public let steps: Int
    public let run: RunDirectory?
    /// The command that continues it (`athanor train`, `athanor lm rl`, …).
    public var resumeCommand = "athanor train"

    public var description: String {
        guard let run else { return "interrupted at step \(steps) (no run directory: nothing was saved)" }
        return "interrupted at step \(steps); checkpoint and metrics written to \(run.path) (continue with: \(resumeCommand) --resume \(run.path))"
    }
}
