import Agents
import ArgumentParser
import Foundation
import Training
import NN
import RL

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a deep agent's run directory: mean ± std return over fresh episodes."
    )
    @Option(name: .customLong("run"), help: "Run directory written by `athanor train --out`.") var runDirectory: String
    @Option(help: "Episodes to play.") var episodes = 20
    @Flag(help: "Act greedily (the mode of the policy) instead of sampling.") var deterministic = false
    @Option(help: "Seed of the evaluation environment (default 10 000 + the run's seed).") var seed: UInt64?
    @Flag(help: "Evaluate the best model of the run's periodic evaluations (best.safetensors) instead of the last.") var best = false
    @Flag(help: "Print one JSON document.") var json = false

    func validate() throws {
        guard (1...1_000_000).contains(episodes) else { throw ValidationError("--episodes must be in 1…1000000") }
    }

    func run() throws {
        let run = RunDirectory(runDirectory)
        let configuration = try run.configuration()
        let agent = try DeepAgents.load(from: run, best: best)
        let result = try evaluatePolicy(on: configuration.environment.make(), episodes: episodes,
                                        seed: seed ?? configuration.finalEvaluationSeed) { agent.act($0, deterministic: deterministic) }
        if json {
            try printJSON(["agent": configuration.agent, "env": configuration.environment.id, "steps": agent.stepsDone, "best": best,
                           "episodes": episodes, "deterministic": deterministic, "mean": result.mean,
                           "std": result.standardDeviation, "returns": result.returns])
        } else {
            print(String(format: "%@ on %@ after %d steps: %.2f ± %.2f over %d %@ episodes", configuration.agent, configuration.environment.id,
                         agent.stepsDone, result.mean, result.standardDeviation, episodes, deterministic ? "deterministic" : "sampled"))
        }
    }
}
