import Foundation
import NN
import RL

/// A deep agent by command-line name: how to build it, its default and tuned hyper-parameters,
/// and how to read them back from a run directory.
public struct AgentEntry: Sendable {
    public let id: String
    public let summary: String
    /// The agent's own defaults (Stable-Baselines3's).
    public let defaults: @Sendable () -> any Hyperparameters
    /// Tuned settings for an environment id (the shipped zoo file's entry).
    public let tuned: @Sendable (String) throws -> any Hyperparameters
    /// A zoo file's entry for an environment id applied to a configuration.
    let applyZooFile: @Sendable (any Hyperparameters, ZooFile, String) throws -> any Hyperparameters
    /// Hyper-parameters from their JSON (snake-case keys).
    public let decode: @Sendable (Data) throws -> any Hyperparameters
    let make: @Sendable (any DynamicEnvironment, any Hyperparameters, UInt64, Int?) throws -> any DeepAgent

    /// The entry for `Agent`, under `id`, with `adjust` applied to every configuration it hands out
    /// (Double DQN is DQN with `double_q` on).
    public init<Agent: DeepAgent>(_ type: Agent.Type, id: String? = nil, summary: String, zooFile: String? = nil,
                                  adjust: @escaping @Sendable (inout Agent.Configuration) -> Void = { _ in }) {
        self.id = id ?? Agent.id
        self.summary = summary
        defaults = { var c = Agent.Configuration(); adjust(&c); return c }
        tuned = { environmentID in
            var base = Agent.Configuration()
            adjust(&base)
            return try Agent.Configuration.zoo(for: environmentID, file: zooFile ?? Agent.Configuration.zooName, base: base)
        }
        applyZooFile = { configuration, file, environmentID in
            guard let config = configuration as? Agent.Configuration else { return configuration }
            return try config.setting(zooFile: file, environmentID: environmentID)
        }
        decode = { data in try Agent.Configuration.decode(json: String(decoding: data, as: UTF8.self)) }
        make = { environment, configuration, seed, totalSteps in
            guard let config = configuration as? Agent.Configuration else {
                throw TrainingError.unsupported("\(Agent.id) takes \(Agent.Configuration.self), not \(Swift.type(of: configuration))")
            }
            if let totalSteps, !(1...Limits.steps).contains(totalSteps) {
                throw HyperparameterError.invalid(name: "steps", value: "\(totalSteps)", expected: "an integer in 1…\(Limits.steps)")
            }
            return try Agent(environment: environment, config: config, seed: seed, totalSteps: totalSteps)
        }
    }

    /// A fresh agent on `environment`.
    public func make(environment: any DynamicEnvironment, configuration: any Hyperparameters, seed: UInt64,
                     totalSteps: Int? = nil) throws -> any DeepAgent {
        try make(environment, configuration, seed, totalSteps)
    }
}

/// The deep agents by command-line name, built from an environment, a preset and overrides.
public enum DeepAgents {
    public static let all: [AgentEntry] = [
        AgentEntry(PPO.self, summary: "Proximal Policy Optimization (Schulman et al. 2017)"),
        AgentEntry(A2C.self, summary: "Advantage Actor-Critic, synchronous A3C (Mnih et al. 2016)"),
        AgentEntry(REINFORCE.self, summary: "REINFORCE with a learned baseline (Williams 1992)"),
        AgentEntry(DQN.self, summary: "Deep Q-Network (Mnih et al. 2015)"),
        AgentEntry(DQN.self, id: "double-dqn", summary: "Double DQN (van Hasselt et al. 2016)") { $0.doubleQ = true },
        AgentEntry(SAC.self, summary: "Soft Actor-Critic with a learned temperature (Haarnoja et al. 2018)"),
        AgentEntry(TD3.self, summary: "Twin Delayed DDPG (Fujimoto et al. 2018)"),
        AgentEntry(TD3.self, id: "ddpg", summary: "Deep Deterministic Policy Gradient (Lillicrap et al. 2015)", zooFile: "ddpg") {
            $0 = TD3Hyperparameters.ddpg
        },
        AgentEntry(GCBC.self, summary: "Goal-conditioned behaviour cloning on hindsight-relabelled experience (Ghosh et al. 2019)"),
        AgentEntry(BC.self, summary: "Behaviour cloning from a dataset (offline; dataset=PATH)"),
        AgentEntry(DiscreteCQL.self, summary: "Conservative Q-learning, discrete actions (Kumar et al. 2020; offline)"),
        AgentEntry(DiscreteBCQ.self, summary: "Batch-constrained Q-learning, discrete actions (Fujimoto et al. 2019; offline)"),
        AgentEntry(IQL.self, summary: "Implicit Q-learning, discrete or continuous actions (Kostrikov et al. 2021; offline)"),
        AgentEntry(TD3PlusBC.self, summary: "TD3 with a behaviour-cloning term, continuous actions (Fujimoto & Gu 2021; offline)"),
        AgentEntry(PETS.self, summary: "Probabilistic ensembles with trajectory sampling: a learned model and CEM planning (Chua et al. 2018; model-based)"),
        AgentEntry(MBPO.self, summary: "Model-based policy optimisation: SAC on short rollouts of a learned ensemble (Janner et al. 2019; model-based)"),
    ]

    public static var ids: [String] { all.map(\.id) }

    public static func entry(_ id: String) throws -> AgentEntry {
        guard let entry = all.first(where: { $0.id == id }) else {
            throw TrainingError.unsupported("unknown agent '\(id)'; deep agents: \(ids.joined(separator: ", "))")
        }
        return entry
    }

    /// How a run's hyper-parameters are chosen: the agent's defaults or the zoo's tuned values
    /// for the environment (`hyperparams/AGENT.yml`), then a file (a zoo YAML file's entry for
    /// the environment, or a JSON object), then `--set name=value` pairs, in that order.
    public struct Recipe: Sendable {
        public var preset: String
        public var configFile: URL?
        public var settings: [String]

        public init(preset: String = "default", configFile: URL? = nil, settings: [String] = []) {
            (self.preset, self.configFile, self.settings) = (preset, configFile, settings)
        }
    }

    /// The hyper-parameters `recipe` gives for `agent` on `environmentID`.
    public static func configuration(agent: String, environmentID: String, recipe: Recipe = Recipe()) throws -> any Hyperparameters {
        let entry = try entry(agent)
        var config: any Hyperparameters
        switch recipe.preset {
        case "default": config = entry.defaults()
        case "zoo": config = try entry.tuned(environmentID)
        default: throw TrainingError.unsupported("unknown preset '\(recipe.preset)'; presets: default, zoo")
        }
        if let file = recipe.configFile {
            // A zoo file (YAML, its entry for the environment) or a JSON object of settings.
            if ["yml", "yaml"].contains(file.pathExtension.lowercased()) {
                config = try entry.applyZooFile(config, ZooFile(contentsOf: file), environmentID)
            } else {
                config = try config.setting(jsonFile: file)
            }
        }
        return try config.setting(recipe.settings)
    }

    /// A fresh agent of the named kind.
    public static func make(agent: String, configuration: any Hyperparameters, environment: any DynamicEnvironment,
                            seed: UInt64, totalSteps: Int? = nil) throws -> any DeepAgent {
        try entry(agent).make(environment: environment, configuration: configuration, seed: seed, totalSteps: totalSteps)
    }
}
