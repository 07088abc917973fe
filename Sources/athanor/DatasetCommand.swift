import Agents
import ArgumentParser
import Datasets
import Environments
import Foundation
import RL
import Random
import Training

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Offline RL datasets: collect one from a policy or a run's replay buffer, summarise one, mix several.",
        discussion: """
            Datasets are written in Minari's layout (a folder with data/metadata.json and data/main_data.hdf5, which \\
            minari.load_dataset reads); Minari folders and D4RL-style .npz arrays (observations, actions, rewards, \\
            terminals, timeouts) are read.
            """,
        subcommands: [Collect.self, Replay.self, Info.self, Mix.self]
    )

    /// A Minari folder or a .npz file.
    static func load(_ path: String) throws -> OfflineDataset {
        try OfflineData.load(path)
    }

    /// Writes `dataset` as a Minari folder at `path`, with the environment's space bounds.
    static func write(_ dataset: OfflineDataset, to path: String, id: String, environment: any DynamicEnvironment, algorithm: String) throws {
        func bounds(_ space: Space) -> (low: [Double], high: [Double]) {
            if case .box(let low, let high, _) = space { return (low, high) }
            return (Array(repeating: 0, count: space.flatCount), Array(repeating: 1, count: space.flatCount))
        }
        let actionBounds = environment.actionSpace.discreteCount == nil ? bounds(environment.actionSpace) : nil
        try MinariFormat.write(dataset, to: URL(fileURLWithPath: path), datasetID: id, observationBounds: bounds(environment.observationSpace),
                               actionBounds: actionBounds, algorithm: algorithm)
    }

    struct Collect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Play whole episodes with a policy and write every transition as a Minari dataset.",
            discussion: "--policy random (uniform actions) or run:DIR (a deep agent's run, its last or --best model, deterministic; --epsilon mixes in uniform actions)."
        )
        @Option(help: "Environment id (with --policy run:DIR, the run's own).") var env: String?
        @OptionGroup var environmentOptions: EnvironmentOptionFlags
        @Option(help: "random, or run:DIR") var policy = "random"
        @Flag(help: "With run:DIR, the best model of its periodic evaluations.") var best = false
        @Option(help: "Probability of a uniformly random action instead of the policy's.") var epsilon = 0.0
        @Option(help: "Whole episodes to play.") var episodes: Int
        @Option(help: "Seed of the environment and of the random actions.") var seed: UInt64 = 0
        @Option(help: "Output folder (must not exist).") var out: String
        @Option(help: "Minari dataset id (default athanor/ENV-POLICY-v0).") var id: String?

        func validate() throws {
            guard (1...10_000_000).contains(episodes) else { throw ValidationError("--episodes must be in 1…10000000") }
            guard (0...1).contains(epsilon) else { throw ValidationError("--epsilon must be in 0…1") }
            guard policy == "random" || policy.hasPrefix("run:") else { throw ValidationError("--policy must be random or run:DIR, not '\(policy)'") }
        }

        func run() throws {
            var agent: (any DeepAgent)?, environment: EnvironmentReference
            if policy.hasPrefix("run:") {
                let directory = RunDirectory(String(policy.dropFirst(4)))
                let configuration = try directory.configuration()
                agent = try DeepAgents.load(from: directory, best: best)
                environment = configuration.environment
                if let env, env != environment.id { throw ValidationError("the run was trained on \(environment.id), not \(env)") }
            } else {
                guard let env else { throw ValidationError("--policy random needs --env") }
                environment = EnvironmentReference(env, options: try EnvironmentRegistry.parseOptions(environmentOptions.pairs))
            }
            let made = try environment.make()
            var generator = RandomGenerator(seed: seed &+ 1)
            let space = made.actionSpace
            let dataset = try OfflineDataset.collect(on: made, episodes: episodes, seed: seed, environmentID: environment.id) { observation in
                if let agent, epsilon == 0 || generator.nextUniformDouble() >= epsilon { return agent.act(observation, deterministic: true) }
                return space.sample(using: &generator).map(Float.init)
            }
            let name = policy == "random" ? "random" : "policy"
            let datasetID = id ?? "athanor/\(environment.id.lowercased().replacingOccurrences(of: "-v", with: "_v"))-\(name)-v0"
            try DatasetCommand.write(dataset, to: out, id: datasetID, environment: made, algorithm: policy)
            print(DatasetSummary(dataset).text)
            print("wrote \(out) (\(datasetID))")
        }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Transitions, episodes, return statistics, the action histogram and the fingerprint of a dataset.")
        @Argument(help: "A Minari dataset folder or a .npz file.") var path: String
        @Flag(help: "Print one JSON document.") var json = false

        func run() throws {
            let dataset = try DatasetCommand.load(path)
            let summary = DatasetSummary(dataset)
            if json {
                try printJSON(["transitions": summary.transitions, "episodes": summary.episodes, "terminated": summary.terminated,
                               "truncated": summary.truncated, "return_mean": summary.meanReturn, "return_std": summary.returnStandardDeviation,
                               "return_min": summary.returns.min() ?? NSNull(), "return_max": summary.returns.max() ?? NSNull(),
                               "actions": summary.actionHistogram, "discrete": summary.discrete, "env": dataset.environmentID ?? NSNull(),
                               "fingerprint": dataset.fingerprint])
            } else {
                print(summary.text)
                print("fingerprint \(dataset.fingerprint)")
            }
        }
    }

    struct Mix: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Whole episodes of each dataset in turn (PATH:TRANSITIONS), e.g. 80 % random and 20 % expert by transitions."
        )
        @Option(name: .customLong("part"), help: "PATH:TRANSITIONS (repeatable).") var parts: [String]
        @Option(help: "Environment id, for the spaces written into the Minari metadata.") var env: String
        @Option(help: "Output folder (must not exist).") var out: String
        @Option(help: "Minari dataset id.") var id = "athanor/mixed-v0"

        func run() throws {
            let pieces = try parts.map { part -> (dataset: OfflineDataset, transitions: Int) in
                guard let colon = part.lastIndex(of: ":"), let count = Int(part[part.index(after: colon)...]), count >= 1 else {
                    throw ValidationError("--part must be PATH:TRANSITIONS, not '\(part)'")
                }
                return (try DatasetCommand.load(String(part[..<colon])), count)
            }
            var mixed = try OfflineDataset.mix(pieces)
            mixed.environmentID = env
            try DatasetCommand.write(mixed, to: out, id: id, environment: try EnvironmentReference(env).make(), algorithm: "mix")
            print(DatasetSummary(mixed).text)
            print("wrote \(out) (\(id))")
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Everything an off-policy run (dqn, double-dqn, sac, td3, ddpg) saw while training, from its replay buffer, as a Minari dataset.",
            discussion: "The literature's \"replay\" quality: the run's last checkpoint's buffer, oldest transition first, cut into episodes."
        )
        @Argument(help: "The run folder.") var runFolder: String
        @Option(help: "Output folder (must not exist).") var out: String
        @Option(help: "Minari dataset id (default athanor/ENV-replay-v0).") var id: String?

        func run() throws {
            let directory = RunDirectory(runFolder)
            let configuration = try directory.configuration()
            let agent = try DeepAgents.load(from: directory, best: false)
            guard let replaying = agent as? any ExperienceReplaying else {
                throw ValidationError("\(runFolder) is a \(agent.name) run, which keeps no replay buffer (dqn, double-dqn, sac, td3 and ddpg do)")
            }
            let environment = try configuration.environment.make()
            let dataset = try OfflineDataset(replay: replaying.replayBuffer, copies: replaying.replayCopies,
                                             discreteActions: environment.actionSpace.discreteCount, environmentID: configuration.environment.id)
            let datasetID = id ?? "athanor/\(configuration.environment.id.lowercased().replacingOccurrences(of: "-v", with: "_v"))-replay-v0"
            try DatasetCommand.write(dataset, to: out, id: datasetID, environment: environment, algorithm: "\(agent.name) replay buffer")
            print(DatasetSummary(dataset).text)
            print("wrote \(out) (\(datasetID))")
        }
    }
}
