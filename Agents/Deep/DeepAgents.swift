import Foundation
import NN
import RL

/// The deep agents by command-line name, built from an environment, a preset and overrides.
public enum DeepAgents {
    public static let ids = ["ppo", "a2c", "reinforce", "dqn", "double-dqn"]

    /// How a run's hyper-parameters are chosen: the agent's defaults or the zoo's tuned values
    /// for the environment, then a JSON file, then `--set name=value` pairs, in that order.
    public struct Recipe: Sendable {
        public var preset: String
        public var configFile: URL?
        public var settings: [String]

        public init(preset: String = "default", configFile: URL? = nil, settings: [String] = []) {
            (self.preset, self.configFile, self.settings) = (preset, configFile, settings)
        }
    }

    /// The hyper-parameters `recipe` gives for `agent` on `environmentID`, as JSON.
    public static func configuration(agent: String, environmentID: String, recipe: Recipe) throws -> String {
        switch agent {
        case "ppo": try resolve(PPOHyperparameters(), PPOHyperparameters.zoo(for: environmentID), environmentID, recipe).json
        case "a2c": try resolve(A2CHyperparameters(), A2CHyperparameters.zoo(for: environmentID), environmentID, recipe).json
        case "reinforce":
            try resolve(REINFORCEHyperparameters(), REINFORCEHyperparameters.tuned(for: environmentID), environmentID, recipe).json
        case "dqn", "double-dqn":
            try resolve(DQNHyperparameters(doubleQ: agent == "double-dqn"),
                        DQNHyperparameters.zoo(for: environmentID).map { var c = $0; c.doubleQ = agent == "double-dqn"; return c },
                        environmentID, recipe).json
        default: throw TrainingError.unsupported("unknown agent '\(agent)'; deep agents: \(ids.joined(separator: ", "))")
        }
    }

    private static func resolve<H: Hyperparameters>(_ defaults: H, _ tuned: H?, _ environmentID: String, _ recipe: Recipe) throws -> H {
        var config: H
        switch recipe.preset {
        case "default": config = defaults
        case "zoo":
            guard let tuned else { throw TrainingError.unsupported("no zoo preset for \(environmentID); use --preset default") }
            config = tuned
        default: throw TrainingError.unsupported("unknown preset '\(recipe.preset)'; presets: default, zoo")
        }
        if let file = recipe.configFile { config = try config.setting(jsonFile: file) }
        return try config.setting(recipe.settings)
    }

    /// A fresh agent from hyper-parameters given as JSON (what `configuration` returns and runs store).
    public static func make(agent: String, configuration json: String, environment: any DynamicEnvironment,
                            seed: UInt64, totalSteps: Int? = nil) throws -> any DeepAgent {
        switch agent {
        case "ppo": try PPO(environment: environment, config: .decode(json: json), seed: seed, totalSteps: totalSteps)
        case "a2c": try A2C(environment: environment, config: .decode(json: json), seed: seed, totalSteps: totalSteps)
        case "reinforce": try REINFORCE(environment: environment, config: .decode(json: json), seed: seed, totalSteps: totalSteps)
        case "dqn", "double-dqn": try DQN(environment: environment, config: .decode(json: json), seed: seed, totalSteps: totalSteps)
        default: throw TrainingError.unsupported("unknown agent '\(agent)'; deep agents: \(ids.joined(separator: ", "))")
        }
    }
}
