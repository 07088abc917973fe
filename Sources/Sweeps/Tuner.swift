import Agents
import Benchmarks
import Foundation
import NN
import RL
import Training

/// rl-baselines3-zoo's `--optimize` on an Optuna study: each trial trains the agent for `steps`
/// with settings the TPE sampler proposes from the zoo's search space, evaluates it `evaluations`
/// times (deterministic episodes), reports each evaluation to Optuna's MedianPruner, which may stop
/// it, and is scored by its last evaluation (the zoo's objective). Run the same command on many
/// workers: they share the study, and stop once it holds `trials` trials.
public struct Tuner: Sendable {
    public var agent: String
    public var environment: EnvironmentReference
    public var steps: Int
    public var trials: Int
    public var evaluations = 5
    public var episodes = 5
    /// Trials before the pruner (and TPE) start judging: the zoo's n_startup_trials.
    public var startupTrials = 5
    public var seed: UInt64 = 0
    /// This worker's number (e.g. its Slurm array index), so that workers draw different TPE seeds.
    public var worker = 0
    /// Settings every trial starts from (`--set`), before the sampled ones.
    public var fixedSettings: [String] = []
    public let study: OptunaStudy
    public let space: SearchSpace

    public init(agent: String, environment: EnvironmentReference, steps: Int, trials: Int, study: OptunaStudy) throws {
        (self.agent, self.environment, self.steps, self.trials, self.study) = (agent, environment, steps, trials, study)
        space = try SearchSpace.zoo(agent)
    }

    public struct Outcome: Sendable {
        public var number: Int
        public var state: String  // complete, pruned, fail
        public var value: Double?
        public var detail: String
    }

    struct Pruned: Error {}

    /// Evaluates every `every` steps, reports to the study, stops the run when Optuna prunes it.
    final class Reporter: TrainingCallback {
        let every: Int, episodes: Int, seed: UInt64, number: Int
        let environment: EnvironmentReference, study: OptunaStudy
        let startupTrials: Int, warmupSteps: Int
        var last: Double?
        var evaluationsDone = 0
        init(every: Int, episodes: Int, seed: UInt64, number: Int, environment: EnvironmentReference, study: OptunaStudy,
             startupTrials: Int, warmupSteps: Int) {
            (self.every, self.episodes, self.seed, self.number, self.environment, self.study) = (every, episodes, seed, number, environment, study)
            (self.startupTrials, self.warmupSteps) = (startupTrials, warmupSteps)
        }
        func afterIteration(_ iteration: Iteration) throws -> [(name: String, value: Double)] {
            let steps = iteration.agent.stepsDone
            guard steps / every > iteration.stepsBefore / every, let agent = iteration.agent as? any DeepAgent else { return [] }
            let result = try evaluatePolicy(on: environment.make(), episodes: episodes, seed: seed) { agent.act($0, deterministic: true) }
            last = result.mean
            // Optuna's step: the evaluation's number (1, 2, …), as the zoo's TrialEvalCallback counts them (an
            // iteration longer than `every` passes several multiples of it but evaluates once).
            evaluationsDone += 1
            if try study.report(number, step: evaluationsDone, value: result.mean, startupTrials: startupTrials, warmupSteps: warmupSteps) {
                throw Pruned()
            }
            return [("eval/mean_reward", result.mean)]
        }
    }

    /// Asks for trials and runs them until the study holds `trials`; returns what this worker did.
    public func work(log: (String) -> Void) throws -> [Outcome] {
        try study.create()
        var outcomes: [Outcome] = []
        for round in 0... {
            let askSeed = seed &* 1_000_003 &+ UInt64(worker) &* 10_007 &+ UInt64(round)
            let (number, parameters) = try study.ask(space, seed: askSeed, startupTrials: startupTrials)
            guard number < trials else {
                // Another worker took the last trial meanwhile: close this surplus ask so it is not left running.
                try study.tell(number, .fail)
                log("athanor tune: the study has its \(trials) trials; trial \(number) closed unused")
                break
            }
            let outcome = try runTrial(number, parameters: parameters)
            outcomes.append(outcome)
            log("athanor tune: trial \(number) \(outcome.state)\(outcome.value.map { String(format: " %.2f", $0) } ?? "") — \(outcome.detail)")
            if number == trials - 1 { break }
        }
        return outcomes
    }

    func runTrial(_ number: Int, parameters: [String: String]) throws -> Outcome {
        let settings: [String]
        let agent: any DeepAgent
        let every = Swift.max(1, steps / evaluations)
        let trialSeed = seed &+ UInt64(number)
        do {
            settings = fixedSettings + (try space.settings(for: parameters))
            let configuration = try DeepAgents.configuration(agent: self.agent, environmentID: environment.id, recipe: .init(settings: settings))
            agent = try DeepAgents.make(agent: self.agent, configuration: configuration, environment: environment.make(), seed: trialSeed,
                                        totalSteps: steps)
        } catch {
            try study.tell(number, .fail)
            return Outcome(number: number, state: "fail", value: nil, detail: "settings refused: \(error)")
        }
        let reporter = Reporter(every: every, episodes: episodes, seed: trialSeed &+ 20_000, number: number, environment: environment,
                                study: study, startupTrials: startupTrials, warmupSteps: evaluations / 3)
        do {
            try agent.learn(callbacks: [reporter])
        } catch is Pruned {
            try study.tell(number, .pruned)
            return Outcome(number: number, state: "pruned", value: reporter.last, detail: settings.joined(separator: " "))
        } catch let error as TrainingError {
            try study.tell(number, .fail)
            return Outcome(number: number, state: "fail", value: nil, detail: "\(error)")
        } catch {
            // Anything else (a full disk, Optuna unreachable) stops this worker, but not with its trial left running.
            try? study.tell(number, .fail)
            throw error
        }
        guard let value = reporter.last, value.isFinite else {
            try study.tell(number, .fail)
            return Outcome(number: number, state: "fail", value: nil, detail: "no evaluation (budget below one evaluation period)")
        }
        try study.tell(number, value: value)
        return Outcome(number: number, state: "complete", value: value, detail: settings.joined(separator: " "))
    }

    /// `Results/tune/NAME/`: every trial of the study (all workers'), best first, and the best trial's
    /// settings as a zoo YAML entry (`best.yml`: `athanor train --config best.yml` trains with them).
    public func writeReport(to folder: URL) throws {
        // Asks past the budget (workers that arrived after the last trial was handed out) are closed unused.
        let all = try study.trials().filter { $0.number < trials }
        let finished = all.filter { $0.state == "COMPLETE" }.sorted { ($0.value ?? -.infinity) > ($1.value ?? -.infinity) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var md = "# Tuning \(agent) on \(environment.label)\n\n\(Provenance.current.markdown)\n\n"
        md += "Regenerate: `athanor tune --agent \(agent) --env \(environment.id) --trials \(trials) --steps \(steps) --storage URL` "
        md += "on any number of workers sharing the storage (`--worker I` each; this study's workers each rewrite this page from the whole study when they stop). "
        md += "Optuna study `\(study.name)`: TPE sampler (\(startupTrials) random start-up trials), MedianPruner "
        md += "(n_startup_trials \(startupTrials), n_warmup_steps \(evaluations / 3)) on \(evaluations) evaluations of \(episodes) "
        md += "deterministic episodes; objective: the last evaluation's mean return (rl-baselines3-zoo's). Search space: the zoo's "
        md += "`hyperparams_opt.py` sampler for \(agent).\n\n"
        let counts = Dictionary(grouping: all, by: \.state).mapValues(\.count).sorted { $0.key < $1.key }
        md += "Trials: " + counts.map { "\($0.value) \($0.key.lowercased())" }.joined(separator: ", ") + ".\n\n"
        md += "| trial | state | objective | settings |\n|---:|---|---:|---|\n"
        let ordered = finished + all.filter { $0.state != "COMPLETE" }
        for t in ordered {
            let settings = (try? space.settings(for: t.parameters).joined(separator: " ")) ?? ""
            md += "| \(t.number) | \(t.state.lowercased()) | \(t.value.map { String(format: "%.2f", $0) } ?? "—") | \(settings) |\n"
        }
        var csv = "number,state,value," + space.parameters.map(\.name).joined(separator: ",") + "\n"
        for t in all {
            csv += "\(t.number),\(t.state),\(t.value.map { "\($0)" } ?? ""),"
            csv += space.parameters.map { t.parameters[$0.name] ?? "" }.joined(separator: ",") + "\n"
        }
        try writeAtomically(Data(csv.utf8), to: folder.appendingPathComponent("trials.csv"))
        if let best = finished.first {
            let settings = fixedSettings + (try space.settings(for: best.parameters))
            md += "\nBest: trial \(best.number), \(String(format: "%.2f", best.value ?? .nan)); its settings as a zoo entry: [best.yml](best.yml) "
            md += "(`athanor train --agent \(agent) --env \(environment.id) --config \(folder.path)/best.yml`).\n"
            try writeAtomically(Data(Self.zooEntry(environment: environment.id, steps: steps, settings: settings,
                                                     comment: "Best of \(all.count) trials of Optuna study \(study.name) (trial \(best.number), objective \(best.value ?? .nan))").utf8),
                                to: folder.appendingPathComponent("best.yml"))
        }
        try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("index.md"))
    }

    /// A zoo YAML entry (`hyperparams/ALGO.yml` form) from `name=value` settings.
    public static func zooEntry(environment: String, steps: Int, settings: [String], comment: String) -> String {
        var yaml = "# \(comment)\n\(environment):\n  n_timesteps: !!float \(Double(steps))\n  policy: 'MlpPolicy'\n"
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[0] == "net_arch" {
                yaml += "  policy_kwargs: \"dict(net_arch=[\(parts[1].split(separator: ",").joined(separator: ", "))])\"\n"
            } else if Double(parts[1]) != nil || ["true", "false"].contains(parts[1]) {
                yaml += "  \(parts[0]): \(parts[1])\n"
            } else {
                yaml += "  \(parts[0]): '\(parts[1])'\n"
            }
        }
        return yaml
    }
}
