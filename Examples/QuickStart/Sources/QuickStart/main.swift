// Trains PPO on CartPole-v1 with the zoo's settings into a run directory, then loads it back and evaluates it.
import Agents
import Tensor
import Training

let steps = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100_000 : 100_000
let folder = CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "runs/quickstart-ppo"

let cartPole = EnvironmentReference("CartPole-v1")
let ppo = try PPO(environment: cartPole.make(), config: .zoo(for: cartPole.id), seed: 0, totalSteps: steps)
let run = RunDirectory(folder, environment: cartPole)
try ppo.learn(run: run, callbacks: [EvalCallback(every: steps / 10, seed: 20_000, environment: cartPole)])

let trained = try PPO.load(from: run)
let result = try evaluatePolicy(on: cartPole.make(), episodes: 20, seed: 10_000) { trained.act($0, deterministic: true) }
print("build \(Build.cpuTarget); PPO on CartPole-v1 after \(trained.stepsDone) steps: mean return \(result.mean) (run in \(run.path))")
