import Agents
import Foundation
import Sweeps
import TestSupport
import Testing

@Suite("The zoo's search spaces, in Optuna's JSON and as settings the agents accept")
struct SearchSpaceTests {
    /// Every parameter at its low end, or its high end (first or last choice).
    func corner(_ space: SearchSpace, high: Bool) -> [String: String] {
        Dictionary(uniqueKeysWithValues: space.parameters.map { name, distribution in
            switch distribution {
            case .float(let low, let top, _): (name, "\(high ? top : low)")
            case .integer(let low, let top): (name, "\(high ? top : low)")
            case .categorical(let choices): (name, high ? choices.last! : choices.first!)
            }
        })
    }

    @Test(arguments: SearchSpace.agents)
    func everyCornerOfTheSpaceIsASettingTheAgentAccepts(agent: String) throws {
        let space = try SearchSpace.zoo(agent)
        let env = agent == "sac" ? "Pendulum-v1" : "CartPole-v1"
        for high in [false, true] {
            let settings = try space.settings(for: corner(space, high: high))
            _ = try DeepAgents.configuration(agent: agent, environmentID: env, recipe: .init(settings: settings))
        }
        // Optuna reads the space as distribution_to_json objects.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(space.json.utf8)) as? [String: [String: Any]])
        #expect(Set(json.keys) == Set(space.parameters.map(\.name)))
        #expect(json.values.allSatisfy { ["FloatDistribution", "IntDistribution", "CategoricalDistribution"].contains($0["name"] as? String ?? "") })
    }

    @Test func conversionsFollowTheZoosSamplers() throws {
        let ppo = try SearchSpace.zoo("ppo")
        var p = corner(ppo, high: false)
        (p["one_minus_gamma"], p["n_steps"], p["batch_size"], p["net_arch"]) = ("0.01", "64", "512", "medium")
        let settings = try ppo.settings(for: p)
        #expect(settings.contains("gamma=0.99"))
        #expect(settings.contains("batch_size=64"))  // capped at n_steps
        #expect(settings.contains("net_arch=256,256"))
        let dqn = try SearchSpace.zoo("dqn")
        var q = corner(dqn, high: false)
        (q["train_freq"], q["subsample_steps"]) = ("128", "8")
        #expect(try dqn.settings(for: q).contains("gradient_steps=16"))
        (q["train_freq"], q["subsample_steps"]) = ("4", "8")
        #expect(try dqn.settings(for: q).contains("gradient_steps=1"))
        expectError("no value for 'gamma'") { _ = try dqn.settings(for: [:]) }
        expectError("no search space for 'td3'") { _ = try SearchSpace.zoo("td3") }
    }

    @Test func theBestTrialsZooEntryReadsBackAsTheSameSettings() throws {
        let settings = ["learning_rate=0.00042", "gamma=0.98", "net_arch=64,64", "n_steps=128", "batch_size=64", "ent_coef=auto"]
        let yaml = Tuner.zooEntry(environment: "CartPole-v1", steps: 20000, settings: settings.filter { $0 != "ent_coef=auto" }, comment: "test")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-best-\(UUID().uuidString).yml")
        try Data(yaml.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let fromFile = try DeepAgents.configuration(agent: "ppo", environmentID: "CartPole-v1", recipe: .init(configFile: url))
        let direct = try DeepAgents.configuration(agent: "ppo", environmentID: "CartPole-v1",
                                                  recipe: .init(settings: settings.filter { $0 != "ent_coef=auto" } + ["n_timesteps=20000"]))
        #expect(fromFile.json == direct.json)
        let sac = Tuner.zooEntry(environment: "Pendulum-v1", steps: 1000, settings: ["ent_coef=auto", "net_arch=400,300"], comment: "x")
        #expect(sac.contains("  ent_coef: 'auto'\n") && sac.contains("policy_kwargs: \"dict(net_arch=[400, 300])\""))
    }
}
