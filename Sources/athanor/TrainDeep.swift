import Agents
import Environments
import Foundation
import RL
import Training

extension Train {
    /// PPO, A2C, REINFORCE, DQN and Double DQN through the Training library: train (or resume),
    /// then evaluate the final policy and, with --eval-freq, the best model.
    func runDeep() throws {
        let agent: any DeepAgent, run: RunDirectory?, configuration: RunConfiguration
        if let resume {
            let directory = RunDirectory(resume)
            configuration = try directory.configuration()
            agent = try DeepAgents.load(from: directory)
            run = directory
        } else {
            let environment = EnvironmentReference(env, options: try EnvironmentRegistry.parseOptions(environmentOptions.pairs))
            // The dataset's absolute path goes into config.json, so a resumed run finds it from anywhere.
            let datasetSetting = dataset.map { ["dataset=" + URL(fileURLWithPath: $0).standardizedFileURL.path] } ?? []
            let recipe = DeepAgents.Recipe(preset: preset, configFile: config.map(URL.init(fileURLWithPath:)), settings: settings + datasetSetting)
            let hyperparameters = try DeepAgents.configuration(agent: self.agent, environmentID: env, recipe: recipe)
            agent = try DeepAgents.make(agent: self.agent, configuration: hyperparameters, environment: environment.make(),
                                        seed: seed, totalSteps: steps)
            configuration = RunConfiguration(of: agent, environment: environment)
            run = out.map { RunDirectory($0, environment: environment, overwrite: overwrite) }
                ?? RunDirectory.numbered(under: URL(fileURLWithPath: "runs"), agent: self.agent, environment: environment)
        }
        // A planning agent searches at every step of an evaluation too (PETS' reference settings: ≈ 3 s a step), so it
        // is scored on 3 episodes unless told otherwise.
        let episodes = evalEpisodes ?? configuration.evaluation?.episodes ?? (configuration.agent == PETS.id ? 3 : 20)
        let evaluation = configuration.evaluation
            ?? (evalFreq > 0 ? EvaluationSettings(every: evalFreq, episodes: episodes, seed: configuration.periodicEvaluationSeed) : nil)
        let evaluator = evaluation.map { EvalCallback($0, environment: configuration.environment) }
        let progress = ProgressLine(environment: configuration.environment.id, quiet: quiet)
        Interruption.install()  // Ctrl-C: finish the iteration, checkpoint, exit 130
        let summary = try agent.learn(run: run, checkpointEvery: resume == nil ? checkpointEvery : configuration.checkpointEvery,
                                      callbacks: [progress.callback] + (evaluator.map { [$0] } ?? []))
        progress.finish()
        // Training is saved by now; a signal during these evaluations ends them at the next step (exit 130).
        let final = try evaluatePolicy(on: configuration.environment.make(), episodes: episodes, seed: configuration.finalEvaluationSeed) {
            try Interruption.stopIfRequested(during: "the final evaluation (training finished and saved)")
            return agent.act($0, deterministic: true)
        }
        let bestAgent = try evaluator?.bestAgent(configuration: configuration)
        let best = try bestAgent.map { best in
            try evaluatePolicy(on: configuration.environment.make(), episodes: episodes, seed: configuration.finalEvaluationSeed) {
                try Interruption.stopIfRequested(during: "the best model's evaluation (training finished and saved)")
                return best.act($0, deterministic: true)
            }
        }
        let stepsPerSecond = Double(summary.steps) / Swift.max(summary.wallSeconds, 1e-9)
        if json {
            try printJSON(["agent": configuration.agent, "env": configuration.environment.id, "seed": configuration.seed,
                           "steps": summary.steps, "wall_s": summary.wallSeconds, "steps_per_s": stepsPerSecond,
                           "eval_mean": final.mean, "eval_std": final.standardDeviation, "eval_episodes": final.returns.count,
                           "run_dir": run?.path ?? NSNull(),
                           "best_eval_mean": best?.mean ?? NSNull(), "best_eval_std": best?.standardDeviation ?? NSNull(),
                           "best_eval_steps": evaluator?.best?.steps ?? NSNull(),
                           "success_rate": final.successRate ?? NSNull(), "best_success_rate": best?.successRate ?? NSNull(),
                           "hyperparameters": (try? configuration.hyperparameters.jsonObject()) ?? [:]])
        } else {
            print(String(format: "%@ on %@ (seed %llu): %d steps in %.2f s (%.0f steps/s); deterministic evaluation %.1f ± %.1f over %d episodes",
                         configuration.agent, configuration.environment.id, configuration.seed, summary.steps, summary.wallSeconds,
                         stepsPerSecond, final.mean, final.standardDeviation, final.returns.count)
                  + (final.successRate.map { String(format: ", success rate %.2f", $0) } ?? ""))
            if let best, let steps = evaluator?.best?.steps {
                print(String(format: "best model (at %d steps, of evaluations every %d): %.1f ± %.1f", steps,
                             evaluation?.every ?? 0, best.mean, best.standardDeviation))
            }
            if let run { print("run directory: \(run.path)") }
        }
    }
}

/// The live progress line on stderr, rewritten in place on a terminal; when stderr is a file
/// or a pipe, one plain line every 10 s instead; nothing with `--quiet`. Ended by `finish`.
final class ProgressLine {
    private(set) var callback: ProgressCallback!
    private var printed = false

    init(environment: String, quiet: Bool) {
        let terminal = isatty(STDERR_FILENO) == 1
        callback = ProgressCallback(every: terminal ? 0.5 : 10) { [unowned self] p in
            guard !quiet else { return }
            // A budget is reached within one iteration, so the last count can pass it.
            let line = String(format: "%@ %@  steps %d/%d  %.0f steps/s  return(100) %.1f  ETA %.0f s",
                              p.agent, environment, p.steps, Swift.max(p.steps, p.totalSteps), p.stepsPerSecond,
                              p.meanReturn, Swift.max(0, p.secondsLeft).rounded() + 0)
            printed = terminal
            FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
        }
    }

    func finish() {
        if printed { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
