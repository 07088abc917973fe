import Agents
import Environments
import Foundation
import NN
import RL
import Tensor
import Training

/// PETS' cost is its planner: at MBRL-Lib's settings one real step evaluates 5 iterations × 500
/// candidates × 20 particles × 15 steps = 750,000 ensemble rows. This measures seconds per planned
/// real step — ours through `learn`, as a run trains, and MBRL-Lib's own PETS example — one after
/// the other in one invocation, and the rate against this machine's sgemm peak measured in the same run.
public enum PlanningSpeed {
    public struct Measurement: Codable, Sendable {
        public var who: String
        /// Real steps taken by planning, and their wall seconds (planning, the real step and the bookkeeping; model fits excluded).
        public var plannedSteps: Int, planSeconds: Double
        /// The model fit before the planned trial.
        public var fitSeconds: Double
        public var secondsPerStep: Double { planSeconds / Double(Swift.max(plannedSteps, 1)) }
    }

    public static let environment = "CartPoleContinuous-v0"

    /// hyperparams/pets.yml's CartPoleContinuous-v0 entry (MBRL-Lib's example).
    static func configuration() throws -> any Hyperparameters {
        try DeepAgents.configuration(agent: "pets", environmentID: environment, recipe: .init(preset: "zoo"))
    }

    /// Ensemble rows per planned step and multiply-adds per row at the reference settings.
    public static func workPerStep() throws -> (rows: Int, flopsPerRow: Double) {
        guard let pets = try configuration() as? PETSHyperparameters else { throw BenchmarkError("pets has no configuration") }
        let rows = pets.numIterations * pets.populationSize * pets.numParticles * pets.planningHorizon
        // CartPole: 4 observation numbers + 1 action in; μ and log σ² of 4 deltas out.
        let (input, output, hidden) = (5, 8, pets.hiddenSize)
        let macs = input * hidden + (pets.hiddenLayers - 1) * hidden * hidden + hidden * output
        return (rows, 2 * Double(macs))
    }

    /// Ours: the random trial, then planning for at most `steps` real steps (the first planned trial, cut there), seed
    /// `seed`, through `learn`.
    public static func ours(seed: UInt64, steps: Int) throws -> Measurement {
        let reference = EnvironmentReference(environment)
        // The random trial's length, so that the budget ends `steps` real steps after it.
        let probe = try DeepAgents.make(agent: "pets", configuration: try configuration(), environment: reference.make(), seed: seed, totalSteps: nil)
        let randomSteps = try probe.iterate().steps
        let agent = try DeepAgents.make(agent: "pets", configuration: try configuration(), environment: reference.make(), seed: seed,
                                        totalSteps: randomSteps + steps)
        let clock = IterationClock()
        _ = try agent.learn(callbacks: [clock])
        // The first planned trial; if the pole fell before the budget, later trials used the rest of it, unmeasured.
        guard clock.marks.count >= 2 else { throw BenchmarkError("pets ran \(clock.marks.count) trial, not a random and a planned one") }
        let (random, planned) = (clock.marks[0], clock.marks[1])
        return Measurement(who: "Athanor", plannedSteps: planned.steps - random.steps, planSeconds: planned.seconds - random.seconds - planned.fitSeconds,
                           fitSeconds: planned.fitSeconds)
    }

    /// MBRL-Lib 0.2.0's PETS example (`pets_cartpole.py SEED 1`: its random trial, then one planned trial, at most
    /// `steps` steps) under `python`; it reports its own planning seconds.
    public static func mbrlLib(python: String, script: String, seed: Int, steps: Int) throws -> Measurement {
        guard FileManager.default.fileExists(atPath: script) else { throw BenchmarkError("no MBRL-Lib script at \(script)") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-mbrl-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let object = try runJSONCommand(python, arguments: [script, "\(seed)", "1", scratch.appendingPathComponent("trials.jsonl").path],
                                        in: scratch, what: "MBRL-Lib's pets_cartpole.py", environment: ["PETS_SMOKE_STEPS": "\(steps)"])
        guard let planned = object["steps"] as? Int, let plan = object["plan_s"] as? Double, let fit = object["train_s"] as? Double else {
            throw BenchmarkError("pets_cartpole.py printed no steps, plan_s or train_s")
        }
        let versions = "MBRL-Lib \(object["mbrl"] as? String ?? "?"), torch \(object["torch"] as? String ?? "?"), \(object["threads"] as? Int ?? 0) threads"
        return Measurement(who: versions, plannedSteps: planned, planSeconds: plan, fitSeconds: fit)
    }

    /// The report: both measurements, the ratio, rows and GFLOP/s against the sgemm peak of both cores and of one.
    public static func markdown(ours: Measurement, peer: Measurement?, sgemmBothCores: Double, sgemmOneCore: Double) throws -> String {
        let (rows, flopsPerRow) = try workPerStep()
        func rate(_ m: Measurement) -> (rows: Double, gflops: Double) {
            (Double(rows) / m.secondsPerStep, Double(rows) * flopsPerRow / m.secondsPerStep / 1e9)
        }
        let f = ModelBasedReport.f
        var md = "# PETS' planning speed at MBRL-Lib's settings\n\n\(Provenance.current.markdown)\n\n"
        md += "One planned real step on \(environment) with hyperparams/pets.yml's entry (MBRL-Lib's PETS example: a 5-member ensemble of "
        md += "3 × 200 LeakyReLU layers; CEM, 5 iterations × 500 candidates, 20 particles (TS-∞), horizon 15) evaluates \(rows) ensemble rows "
        md += "of \(f(flopsPerRow / 1e3, 1)) kFLOP each, \(f(Double(rows) * flopsPerRow / 1e9, 1)) GFLOP. Each side runs its random trial, fits its "
        md += "model, then plans one trial (seed 0); the seconds below are that trial's planning, real steps and bookkeeping, model fit excluded "
        md += "(MBRL-Lib's `plan_s`, which times `agent.act` with the real step and the buffer). Measured one after the other in this invocation.\n\n"
        md += "| | planned steps | s per planned step | M rows/s | GFLOP/s | share of sgemm 512³ on both cores (\(f(sgemmBothCores, 0)) GFLOP/s) | model fit s |\n"
        md += "|---|---:|---:|---:|---:|---:|---:|\n"
        for m in [ours] + (peer.map { [$0] } ?? []) {
            let r = rate(m)
            md += "| \(m.who) | \(m.plannedSteps) | \(f(m.secondsPerStep, 3)) | \(f(r.rows / 1e6, 3)) | \(f(r.gflops, 1)) | \(f(100 * r.gflops / sgemmBothCores, 0)) % | \(f(m.fitSeconds, 2)) |\n"
        }
        if let peer {
            md += "\nAthanor plans a real step **\(f(peer.secondsPerStep / ours.secondsPerStep, 2))×** as fast as MBRL-Lib here (the issue's target: ≥ 2×).\n"
        }
        md += "\nsgemm 512³ on one core in the same run: \(f(sgemmOneCore, 0)) GFLOP/s. `learn` runs OpenBLAS on one thread; the planner's predictions "
        md += "(`Tensor.batchedInference`) cut each member's ≈ 2000 rows in two halves and take each through all four layers on its own core.\n"
        md += "\nRegenerate: `athanor bench model-based --planning-speed --mbrl-python ~/.venvs/mbrl/bin/python` (MBRL-Lib's environment: `../shared/anchors/README.md`).\n"
        return md
    }

    /// planning-speed.md in `folder`, written atomically.
    public static func write(_ markdown: String, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try writeAtomically(Data(markdown.utf8), to: folder.appendingPathComponent("planning-speed.md"))
    }
}

/// After each iteration of `learn` (a PETS trial): the wall clock, the real steps so far and that trial's model fit.
final class IterationClock: TrainingCallback {
    var marks: [(seconds: Double, steps: Int, fitSeconds: Double)] = []
    func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)] {
        marks.append((Double(DispatchTime.now().uptimeNanoseconds) / 1e9, iteration.agent.stepsDone, (iteration.agent as? PETS)?.lastFitSeconds ?? 0))
        return []
    }
}
