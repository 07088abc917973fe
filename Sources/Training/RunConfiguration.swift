import Agents
import Environments
import Foundation
import RL

/// An environment as a run names it: a registered id and its options.
public struct EnvironmentReference: Codable, Equatable, Sendable {
    public var id: String
    public var options: [String: String]

    public init(_ id: String, options: [String: String] = [:]) { (self.id, self.options) = (id, options) }

    /// A fresh environment from the registry (with the id's time limit).
    public func make() throws -> any DynamicEnvironment { try environments.make(id, options: options) }

    /// `BitFlip-v0[n=8]`: the id with its options, sorted (the id alone without options).
    public var label: String {
        options.isEmpty ? id : id + "[" + options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "]"
    }
}

/// How a run evaluates its policy periodically (an `EvalCallback`'s settings), so that a resumed
/// run evaluates as before.
public struct EvaluationSettings: Codable, Equatable, Sendable {
    public var every: Int
    public var episodes: Int
    public var seed: UInt64

    public init(every: Int, episodes: Int, seed: UInt64) { (self.every, self.episodes, self.seed) = (every, episodes, seed) }
}

/// What a run directory's `config.json` holds: enough to rebuild the agent and continue it.
/// Keys are snake case, and the hyper-parameters are an object in the agent's own names.
public struct RunConfiguration: Codable, Sendable {
    public var agent: String
    public var environment: EnvironmentReference
    public var seed: UInt64
    public var totalSteps: Int
    public var hyperparameters: any Hyperparameters
    /// Steps between checkpoints (0: only at the end).
    public var checkpointEvery = 0
    /// The periodic evaluation, if the run has one.
    public var evaluation: EvaluationSettings?

    /// The final evaluation's environment is seeded 10 000 + seed (as the SB3 anchor evaluates);
    /// periodic evaluations use 20 000 + seed, so that a best model is scored on other episodes
    /// than those it was picked on.
    public var finalEvaluationSeed: UInt64 { seed &+ 10_000 }
    public var periodicEvaluationSeed: UInt64 { seed &+ 20_000 }

    public init(agent: String, environment: EnvironmentReference, seed: UInt64, totalSteps: Int,
                hyperparameters: any Hyperparameters) {
        (self.agent, self.environment, self.seed, self.totalSteps, self.hyperparameters) =
            (agent, environment, seed, totalSteps, hyperparameters)
    }

    /// The configuration of a fresh agent (its own id, seed, budget and hyper-parameters).
    public init(of agent: any DeepAgent, named name: String? = nil, environment: EnvironmentReference) {
        self.init(agent: name ?? agent.name, environment: environment, seed: agent.seed,
                  totalSteps: agent.totalSteps, hyperparameters: agent.config)
    }

    /// A fresh agent as configured, on a fresh environment.
    public func makeAgent() throws -> any DeepAgent {
        try DeepAgents.make(agent: agent, configuration: hyperparameters, environment: environment.make(),
                            seed: seed, totalSteps: totalSteps)
    }

    enum CodingKeys: String, CodingKey {
        case agent, env, envOptions = "env_options", seed, totalSteps = "total_steps", hyperparameters
        case checkpointEvery = "checkpoint_every", evaluation
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        agent = try container.decode(String.self, forKey: .agent)
        environment = EnvironmentReference(try container.decode(String.self, forKey: .env),
                                           options: try container.decodeIfPresent([String: String].self, forKey: .envOptions) ?? [:])
        seed = try container.decode(UInt64.self, forKey: .seed)
        totalSteps = try container.decode(Int.self, forKey: .totalSteps)
        let entry = try DeepAgents.entry(agent)
        hyperparameters = try entry.decode(container.decode(JSONValue.self, forKey: .hyperparameters).data)
        checkpointEvery = try container.decodeIfPresent(Int.self, forKey: .checkpointEvery) ?? 0
        evaluation = try container.decodeIfPresent(EvaluationSettings.self, forKey: .evaluation)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(environment.id, forKey: .env)
        try container.encode(environment.options, forKey: .envOptions)
        try container.encode(seed, forKey: .seed)
        try container.encode(totalSteps, forKey: .totalSteps)
        try container.encode(try JSONDecoder().decode(JSONValue.self, from: Data(hyperparameters.json.utf8)), forKey: .hyperparameters)
        try container.encode(checkpointEvery, forKey: .checkpointEvery)
        try container.encodeIfPresent(evaluation, forKey: .evaluation)
    }
}
