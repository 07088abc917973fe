import ArgumentParser
import Foundation
import RL
import Sweeps
import Training

/// `athanor tune`: rl-baselines3-zoo's `--optimize`, on an Optuna study that any number of workers share.
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Tune an agent's hyper-parameters with Optuna (TPE, median pruning) over the zoo's search space; writes Results/tune/.",
        discussion: """
            Drives an Optuna study through Optuna's own command line (optuna ask / tell; Optuna's MedianPruner judges \\
            each intermediate evaluation). Run the same command on several workers — processes, a Slurm array \\
            (--worker $SLURM_ARRAY_TASK_ID), other machines — with one --storage: they share the study and stop once it \\
            holds --trials trials. Storage: sqlite:///PATH.db on one machine or a shared disk; a PostgreSQL or MySQL \\
            URL across machines. Needs `optuna` (pip install optuna) on PATH, in ~/.venvs/optuna, or at --optuna. \\
            Agents: ppo, a2c, dqn, sac (the search spaces of the zoo's hyperparams_opt.py).
            """
    )
    @Option(help: "Agent: ppo, a2c, dqn or sac.") var agent: String
    @Option(help: "Environment id.") var env: String
    @Option(name: .customLong("env-opt"), help: "Environment option name=value (repeatable).") var environmentOptions: [String] = []
    @Option(help: "Trials in the study, over all workers.") var trials: Int
    @Option(help: "Environment steps per trial.") var steps: Int
    @Option(help: "Optuna storage URL, e.g. sqlite:///tune.db.") var storage: String
    @Option(help: "Study name (default AGENT-ENV).") var study: String?
    @Option(help: "Intermediate evaluations per trial (reported to the pruner).") var evaluations = 5
    @Option(help: "Deterministic episodes per evaluation.") var evalEpisodes = 5
    @Option(help: "Random start-up trials before TPE and the pruner judge.") var startupTrials = 5
    @Option(help: "This worker's number (e.g. $SLURM_ARRAY_TASK_ID): workers draw different sampler seeds.") var worker = 0
    @Option(help: "Seed of the trials' runs (trial k trains with seed + k).") var seed: UInt64 = 0
    @Option(name: .customLong("set"), help: "A setting every trial starts from, name=value (repeatable).") var settings: [String] = []
    @Option(help: "The optuna executable (default: optuna on PATH, else ~/.venvs/optuna/bin/optuna).") var optuna: String?
    @Option(help: "Output folder (default Results/tune/STUDY).") var output: String?

    func validate() throws {
        guard (1...100_000).contains(trials) else { throw ValidationError("--trials must be in 1…100000") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard (1...1000).contains(evaluations), evaluations <= steps else { throw ValidationError("--evaluations must be in 1…1000 and at most --steps") }
        guard (1...10_000).contains(evalEpisodes) else { throw ValidationError("--eval-episodes must be in 1…10000") }
        guard (0...10_000).contains(startupTrials) else { throw ValidationError("--startup-trials must be in 0…10000") }
        guard (0...1_000_000).contains(worker) else { throw ValidationError("--worker must be in 0…1000000") }
        if let study, study.isEmpty || study.contains(where: { $0 == "/" || $0.isNewline }) { throw ValidationError("--study must be a plain name") }
    }

    func run() throws {
        guard let executable = optuna ?? OptunaStudy.findExecutable() else {
            throw UserError("optuna is not installed: pip install optuna (into ~/.venvs/optuna, or give --optuna PATH)")
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw UserError("--optuna \(executable) is not an executable") }
        let environment = EnvironmentReference(env, options: try EnvironmentRegistry.parseOptions(environmentOptions))
        _ = try environment.make()  // an unknown id fails here, before any trial is asked for
        let name = study ?? "\(agent)-\(environment.label)"
        var tuner = try Tuner(agent: agent, environment: environment, steps: steps, trials: trials,
                              study: OptunaStudy(executable: executable, storage: storage, name: name))
        (tuner.evaluations, tuner.episodes, tuner.startupTrials, tuner.worker, tuner.seed, tuner.fixedSettings) =
            (evaluations, evalEpisodes, startupTrials, worker, seed, settings)
        let outcomes = try tuner.work(log: log)
        let folder = URL(fileURLWithPath: output ?? "Results/tune/\(name)")
        try tuner.writeReport(to: folder)
        let done = outcomes.map { "\($0.number) \($0.state)" }.joined(separator: ", ")
        print("worker \(worker) ran \(outcomes.count) trials (\(done.isEmpty ? "none" : done)); study \(name) report in \(folder.path)/")
    }
}
