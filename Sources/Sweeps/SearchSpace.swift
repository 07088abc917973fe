import Foundation

/// A hyper-parameter search space in Optuna's terms, and how a trial's parameters become `--set`
/// settings: rl-baselines3-zoo's `hyperparams_opt.py` samplers for PPO, A2C, DQN and SAC.
public struct SearchSpace: Sendable {
    public enum Distribution: Sendable, Equatable {
        case float(low: Double, high: Double, log: Bool)
        case integer(low: Int, high: Int)
        case categorical([String])  // numbers or names, as JSON scalars

        /// `optuna.distributions.distribution_to_json`'s form.
        var json: [String: Any] {
            switch self {
            case .float(let low, let high, let log):
                ["name": "FloatDistribution", "attributes": ["low": low, "high": high, "log": log, "step": NSNull()] as [String: Any]]
            case .integer(let low, let high):
                ["name": "IntDistribution", "attributes": ["low": low, "high": high, "log": false, "step": 1] as [String: Any]]
            case .categorical(let choices):
                ["name": "CategoricalDistribution", "attributes": ["choices": choices.map { Double($0).map { $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) as Any : $0 as Any } ?? $0 as Any }]]
            }
        }
    }

    public let agent: String
    public let parameters: [(name: String, distribution: Distribution)]
    /// A trial's parameters (JSON scalars by name) → `name=value` settings.
    let convert: @Sendable ([String: String]) throws -> [String]

    /// The JSON `optuna ask --search-space` takes.
    public var json: String {
        let object = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.distribution.json) })
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data ?? Data("{}".utf8), as: UTF8.self)
    }

    public func settings(for parameters: [String: String]) throws -> [String] {
        for (name, _) in self.parameters where parameters[name] == nil {
            throw SweepError("the trial has no value for '\(name)' (a study made with another search space?)")
        }
        return try convert(parameters)
    }

    public static let agents = ["ppo", "a2c", "dqn", "sac"]

    public static func zoo(_ agent: String) throws -> SearchSpace {
        switch agent {
        case "ppo": return onPolicy(agent, ppo: true)
        case "a2c": return onPolicy(agent, ppo: false)
        case "dqn": return dqn
        case "sac": return sac
        default: throw SweepError("no search space for '\(agent)'; tune knows \(agents.joined(separator: ", ")) (rl-baselines3-zoo's hyperparams_opt.py)")
        }
    }

    static func value(_ p: [String: String], _ name: String) throws -> Double {
        guard let text = p[name], let x = Double(text), x.isFinite else { throw SweepError("the trial's '\(name)' is not a number") }
        return x
    }

    static func integer(_ p: [String: String], _ name: String) throws -> Int {
        let x = try value(p, name)
        guard x == x.rounded(), abs(x) < 1e15 else { throw SweepError("the trial's '\(name)' is not a whole number") }
        return Int(x)
    }

    static func architecture(_ p: [String: String], _ table: [String: String]) throws -> String {
        guard let name = p["net_arch"], let sizes = table[name] else { throw SweepError("the trial's net_arch '\(p["net_arch"] ?? "")' is not one of \(table.keys.sorted())") }
        return "net_arch=" + sizes
    }

    /// `sample_ppo_params` / `sample_a2c_params`. Two departures, both because the network here is
    /// fixed: activation_fn is SB3's default Tanh only, and net_arch is one size list for actor and critic.
    /// batch_size is capped at n_steps (a minibatch cannot exceed the rollout), as the zoo's TRPO sampler does.
    static func onPolicy(_ agent: String, ppo: Bool) -> SearchSpace {
        var parameters: [(String, Distribution)] = [
            ("n_steps", .categorical(["32", "64", "128", "256", "512", "1024", "2048"])),
            ("one_minus_gamma", .float(low: 0.0001, high: 0.03, log: true)),
            ("one_minus_gae_lambda", .float(low: 0.0001, high: 0.1, log: true)),
            ("learning_rate", .float(low: 1e-5, high: 0.002, log: true)),
            ("ent_coef", .float(low: 1e-8, high: 0.1, log: true)),
            ("max_grad_norm", .float(low: 0.3, high: 2, log: false)),
        ]
        if ppo {
            parameters += [("batch_size", .categorical(["32", "64", "128", "256", "512"])),
                           ("clip_range", .categorical(["0.1", "0.2", "0.3", "0.4"])),
                           ("n_epochs", .categorical(["1", "5", "10", "20"])),
                           ("net_arch", .categorical(["tiny", "small", "medium"]))]
        } else {
            parameters.append(("net_arch", .categorical(["small", "medium"])))
        }
        return SearchSpace(agent: agent, parameters: parameters) { p in
            let nSteps = try integer(p, "n_steps")
            var settings = ["n_steps=\(nSteps)", "gamma=\(1 - (try value(p, "one_minus_gamma")))",
                            "gae_lambda=\(1 - (try value(p, "one_minus_gae_lambda")))", "learning_rate=\(try value(p, "learning_rate"))",
                            "ent_coef=\(try value(p, "ent_coef"))", "max_grad_norm=\(try value(p, "max_grad_norm"))",
                            try architecture(p, ["tiny": "64", "small": "64,64", "medium": "256,256"])]
            if ppo {
                settings += ["batch_size=\(Swift.min(try integer(p, "batch_size"), nSteps))", "clip_range=\(try value(p, "clip_range"))",
                             "n_epochs=\(try integer(p, "n_epochs"))"]
            }
            return settings
        }
    }

    /// `sample_dqn_params`: gradient_steps = max(train_freq // subsample_steps, 1).
    static let dqn = SearchSpace(agent: "dqn", parameters: [
        ("gamma", .categorical(["0.9", "0.95", "0.98", "0.99", "0.995", "0.999", "0.9999"])),
        ("learning_rate", .float(low: 1e-5, high: 1, log: true)),
        ("batch_size", .categorical(["16", "32", "64", "100", "128", "256", "512"])),
        ("buffer_size", .categorical(["10000", "50000", "100000", "1000000"])),
        ("exploration_final_eps", .float(low: 0, high: 0.2, log: false)),
        ("exploration_fraction", .float(low: 0, high: 0.5, log: false)),
        ("target_update_interval", .categorical(["1", "1000", "5000", "10000", "15000", "20000"])),
        ("learning_starts", .categorical(["0", "1000", "5000", "10000", "20000"])),
        ("train_freq", .categorical(["1", "4", "8", "16", "128", "256", "1000"])),
        ("subsample_steps", .categorical(["1", "2", "4", "8"])),
        ("net_arch", .categorical(["tiny", "small", "medium"])),
    ]) { p in
        let trainFreq = try integer(p, "train_freq")
        return ["gamma=\(try value(p, "gamma"))", "learning_rate=\(try value(p, "learning_rate"))", "batch_size=\(try integer(p, "batch_size"))",
                "buffer_size=\(try integer(p, "buffer_size"))", "exploration_final_eps=\(try value(p, "exploration_final_eps"))",
                "exploration_fraction=\(try value(p, "exploration_fraction"))",
                "target_update_interval=\(try integer(p, "target_update_interval"))", "learning_starts=\(try integer(p, "learning_starts"))",
                "train_freq=\(trainFreq)", "gradient_steps=\(Swift.max(trainFreq / (try integer(p, "subsample_steps")), 1))",
                try architecture(p, ["tiny": "64", "small": "64,64", "medium": "256,256"])]
    }

    /// `sample_sac_params` without log_std_init, which SB3's SAC reads only with gSDE (not implemented here);
    /// gradient_steps = train_freq, ent_coef auto.
    static let sac = SearchSpace(agent: "sac", parameters: [
        ("gamma", .categorical(["0.9", "0.95", "0.98", "0.99", "0.995", "0.999", "0.9999"])),
        ("learning_rate", .float(low: 1e-5, high: 1, log: true)),
        ("batch_size", .categorical(["16", "32", "64", "128", "256", "512", "1024", "2048"])),
        ("buffer_size", .categorical(["10000", "100000", "1000000"])),
        ("learning_starts", .categorical(["0", "1000", "10000", "20000"])),
        ("train_freq", .categorical(["1", "4", "8", "16", "32", "64", "128", "256", "512"])),
        ("tau", .categorical(["0.001", "0.005", "0.01", "0.02", "0.05", "0.08"])),
        ("net_arch", .categorical(["small", "medium", "big"])),
    ]) { p in
        let trainFreq = try integer(p, "train_freq")
        return ["gamma=\(try value(p, "gamma"))", "learning_rate=\(try value(p, "learning_rate"))", "batch_size=\(try integer(p, "batch_size"))",
                "buffer_size=\(try integer(p, "buffer_size"))", "learning_starts=\(try integer(p, "learning_starts"))",
                "train_freq=\(trainFreq)", "gradient_steps=\(trainFreq)", "tau=\(try value(p, "tau"))", "ent_coef=auto",
                try architecture(p, ["small": "64,64", "medium": "256,256", "big": "400,300"])]
    }
}
