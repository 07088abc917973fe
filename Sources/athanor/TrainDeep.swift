import Agents
import Environments
import Foundation
import RL

extension Train {
    /// PPO, A2C, REINFORCE, DQN and Double DQN: train (or resume), checkpoint, evaluate.
    func runDeep() throws {
        var configuration: RunConfiguration
        let directory: URL?
        if let resume {
            let url = URL(fileURLWithPath: resume)
            let configURL = url.appendingPathComponent("config.json")
            guard let data = try? Data(contentsOf: configURL) else { throw UserError("\(resume) is not a run directory (no config.json)") }
            guard let saved = try? JSONDecoder().decode(RunConfiguration.self, from: data) else {
                throw UserError("\(configURL.path) is malformed")
            }
            configuration = saved
            if let evalEpisodes { configuration.evalEpisodes = evalEpisodes }
            directory = url
        } else {
            let options = try EnvironmentRegistry.parseOptions(environmentOptions.pairs)
            _ = try environments.make(env, options: options)  // unknown ids and options fail here
            let recipe = DeepAgents.Recipe(preset: preset, configFile: config.map(URL.init(fileURLWithPath:)), settings: settings)
            let hyperparameters = try DeepAgents.configuration(agent: agent, environmentID: env, recipe: recipe)
            let budget = try steps ?? hyperparameterBudget(hyperparameters)
            configuration = RunConfiguration(agent: agent, env: env, envOptions: options, seed: seed, totalSteps: budget,
                                             checkpointEvery: checkpointEvery, hyperparameters: hyperparameters,
                                             evalFreq: evalFreq, evalEpisodes: evalEpisodes)
            directory = out.map(URL.init(fileURLWithPath:))
        }
        let trainer = DeepTrainer(configuration: configuration, directory: directory)
        let summary = try trainer.run(resume: resume != nil)
        let e = summary.evaluation
        if json {
            try printJSON(["agent": configuration.agent, "env": configuration.env, "seed": configuration.seed,
                           "steps": summary.steps, "wall_s": summary.wallSeconds,
                           "steps_per_s": Double(summary.steps) / Swift.max(summary.wallSeconds, 1e-9),
                           "eval_mean": e.mean, "eval_std": e.standardDeviation, "eval_episodes": e.returns.count,
                           "run_dir": directory?.path ?? NSNull(),
                           "best_eval_mean": summary.best?.evaluation.mean ?? NSNull(),
                           "best_eval_std": summary.best?.evaluation.standardDeviation ?? NSNull(),
                           "best_eval_steps": summary.best?.steps ?? NSNull(),
                           "hyperparameters": (try? JSONSerialization.jsonObject(with: Data(configuration.hyperparameters.utf8))) ?? [:]])
        } else {
            print(String(format: "%@ on %@ (seed %llu): %d steps in %.2f s (%.0f steps/s); deterministic evaluation %.1f ± %.1f over %d episodes",
                         configuration.agent, configuration.env, configuration.seed, summary.steps, summary.wallSeconds,
                         Double(summary.steps) / Swift.max(summary.wallSeconds, 1e-9), e.mean, e.standardDeviation, e.returns.count))
            if let best = summary.best {
                print(String(format: "best model (at %d steps, of evaluations every %d): %.1f ± %.1f", best.steps,
                             configuration.evalFreq ?? 0, best.evaluation.mean, best.evaluation.standardDeviation))
            }
            if let directory { print("run directory: \(directory.path)") }
        }
    }

    private func hyperparameterBudget(_ json: String) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return (object?["n_timesteps"] as? Int) ?? 100_000
    }
}
