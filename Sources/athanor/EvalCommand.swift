import Agents
import ArgumentParser
import Foundation
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
    @Flag(help: "Print one JSON document.") var json = false

    func validate() throws {
        guard episodes >= 1 else { throw ValidationError("--episodes must be at least 1") }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: runDirectory)
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("config.json")) else {
            throw UserError("\(runDirectory) is not a run directory (no config.json)")
        }
        guard let configuration = try? JSONDecoder().decode(RunConfiguration.self, from: data) else {
            throw UserError("\(directory.appendingPathComponent("config.json").path) is malformed")
        }
        let agent = try configuration.makeAgent()
        let checkpoint = try SafeTensors.read(from: directory.appendingPathComponent("checkpoint.safetensors"))
        try agent.restore(from: checkpoint)
        let result = try evaluatePolicy(on: configuration.makeEnvironment(), episodes: episodes,
                                        seed: seed ?? 10_000 + configuration.seed) { agent.act($0, deterministic: deterministic) }
        if json {
            try printJSON(["agent": configuration.agent, "env": configuration.env, "steps": agent.stepsDone,
                           "episodes": episodes, "deterministic": deterministic, "mean": result.mean,
                           "std": result.standardDeviation, "returns": result.returns])
        } else {
            print(String(format: "%@ on %@ after %d steps: %.2f ± %.2f over %d %@ episodes", configuration.agent, configuration.env,
                         agent.stepsDone, result.mean, result.standardDeviation, episodes, deterministic ? "deterministic" : "sampled"))
        }
    }
}
