import Agents
import Environments
import Foundation
import RL
import Tensor
import Visualizer

/// Who chooses the actions in `athanor watch`, and what of its thinking is drawn.
protocol Player: AnyObject {
    func startEpisode()
    func act(_ observation: [Float]) -> [Double]
    /// The reward the last action earned (bandit agents learn as they play).
    func learn(action: [Double], reward: Double)
    func overlay(_ observation: [Float]) -> Overlay?
}

extension Player {
    func startEpisode() {}
    func learn(action: [Double], reward: Double) {}
}

/// Uniformly random actions from the action space.
final class RandomPlayer: Player {
    let space: Space
    var generator: RandomGenerator

    init(space: Space, seed: UInt64) {
        self.space = space
        generator = RandomGenerator(seed: seed &+ 17)
    }

    func act(_ observation: [Float]) -> [Double] {
        switch space {
        case .discrete(let n): [Double(generator.nextInt(below: n))]
        case .box(let low, let high, _): zip(low, high).map { $0 + ($1 - $0) * generator.nextUniformDouble() }
        case .multiBinary(let n): (0..<n).map { _ in Double(generator.nextInt(below: 2)) }
        }
    }

    func overlay(_ observation: [Float]) -> Overlay? { nil }
}

/// A trained deep agent, acting deterministically, with π(·|s) and V(s) drawn.
final class DeepPlayer: Player {
    let agent: any DeepAgent
    init(agent: any DeepAgent) { self.agent = agent }
    func act(_ observation: [Float]) -> [Double] { agent.act(observation, deterministic: true).map(Double.init) }
    func overlay(_ observation: [Float]) -> Overlay? {
        let (probabilities, value) = agent.internals(observation)
        return .policy(probabilities: probabilities, value: value)
    }
}

/// A planning agent (PETS): acts by planning, and draws the states its model predicts along the plan
/// beside the real states of the last steps.
final class PlanningPlayer: Player {
    let agent: PETS
    private var realised: [[Double]] = []
    /// The frame plans first (to draw the plan); the step then takes that plan's first action.
    private var planned: (observation: [Float], action: [Float])?

    init(agent: PETS) { self.agent = agent }

    func startEpisode() { (realised, planned) = ([], nil) }

    func act(_ observation: [Float]) -> [Double] {
        let action = planned.flatMap { $0.observation == observation ? $0.action : nil } ?? agent.act(observation, deterministic: true)
        planned = nil
        return action.map(Double.init)
    }

    func overlay(_ observation: [Float]) -> Overlay? {
        realised = Array((realised + [observation.map(Double.init)]).suffix(agent.config.planningHorizon + 1))
        planned = (observation, agent.act(observation, deterministic: true))
        let predicted = agent.predictedStates(along: agent.lastPlan, from: observation).map { $0.map(Double.init) }
        return .trajectory(predicted: predicted, realised: realised)
    }
}

/// Q-learning (trained first) or value iteration on a tabular environment, played greedily.
final class TabularPlayer: Player {
    let result: TabularAgents.Result

    init(environment: any DynamicEnvironment, id: String, agent: String, episodes: Int, seed: UInt64) throws {
        guard environment.tabularModel != nil else {
            throw UserError("\(agent) needs a tabular environment (FrozenLake-v1, CliffWalking-v1, the gridworlds); \(id) is not")
        }
        let settings = agent == "value-iteration" ? ["gamma=0.99"] : ["alpha=0.1", "epsilon=0.1", "gamma=0.99"]
        result = try TabularAgents.train(agent, on: environment, episodes: episodes, seed: seed, settings: settings)
        log("athanor watch: \(result.summary)")
    }

    func act(_ observation: [Float]) -> [Double] { [Double(result.policy[Int(observation[0])])] }
    func overlay(_ observation: [Float]) -> Overlay? { .tabular(values: result.values, policy: result.policy) }
}

/// A bandit agent learning as it plays; its estimates (and UCB's bounds) drawn beside the truth.
final class BanditPlayer: Player {
    var agent: any BanditAgent
    var generator: RandomGenerator
    var counts: [Int]

    init(agent name: String, arms: Int, seed: UInt64) {
        agent = switch name {
        case "ucb": UCBBandit(arms: arms, c: 2)
        case "thompson-sampling": ThompsonSampling(arms: arms, likelihood: .gaussian)
        default: EpsilonGreedyBandit(arms: arms, epsilon: 0.1)
        }
        generator = RandomGenerator(seed: seed &+ 29)
        counts = Array(repeating: 0, count: arms)
    }

    func act(_ observation: [Float]) -> [Double] { [Double(agent.selectArm(using: &generator))] }

    func learn(action: [Double], reward: Double) {
        let arm = Int(action[0])
        counts[arm] += 1
        agent.update(arm: arm, reward: reward)
    }

    func overlay(_ observation: [Float]) -> Overlay? {
        .bandit(estimates: agent.estimates, upperBounds: (agent as? UCBBandit)?.upperBounds, counts: counts)
    }
}
