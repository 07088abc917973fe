// Trains PPO on CartPole-v1 with the zoo's settings and evaluates it, through the libraries alone.
import Agents
import Environments
import RL
import Tensor

let steps = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20_000 : 20_000
let config = try DeepAgents.configuration(agent: "ppo", environmentID: "CartPole-v1", recipe: .init(preset: "zoo"))
let agent = try DeepAgents.make(agent: "ppo", configuration: config, environment: environments.make("CartPole-v1"),
                                seed: 0, totalSteps: steps)
while agent.stepsDone < agent.totalSteps { _ = try agent.iterate() }
let result = try evaluatePolicy(on: environments.make("CartPole-v1"), episodes: 10, seed: 10_000) {
    agent.act($0, deterministic: true)
}
print("build \(Build.cpuTarget); PPO on CartPole-v1 after \(agent.stepsDone) steps: mean return \(result.mean)")
