import Environments
import Foundation
import RL
import Random
import Testing

@Suite("Model-based tasks: continuous cart-pole, and reward and termination as functions")
struct PlanningModelTests {
    /// Continuous CartPole with a = ±1 is Gymnasium's CartPole (bit for bit against Gymnasium in
    /// GymnasiumTests) pushed right or left; other actions scale the 10 N force linearly.
    @Test func fullForceIsGymnasiumsCartPole() throws {
        var generator = RandomGenerator(seed: 5)
        for _ in 0..<20 {
            let start = (0..<4).map { _ in -0.1 + 0.2 * generator.nextUniformDouble() }
            for (force, discrete) in [(Float(1), 1), (Float(-1), 0)] {
                var continuous = CartPoleContinuous(), reference = CartPole()
                try continuous.setState(start)
                try reference.setState(start)
                let a = continuous.step([force]), b = reference.step(discrete)
                #expect(a.observation == b.observation && a.terminated == b.terminated && a.reward == 1)
            }
        }
        // Half the action, half the force: ẋ changes by τ·ẍ, and ẍ is affine in the force.
        var cart = CartPoleContinuous()
        func xDotAfter(_ action: Float) throws -> Double {
            try cart.setState([0, 0, 0, 0])
            _ = cart.step([action])
            return cart.state[1]
        }
        let (full, half, zero) = (try xDotAfter(1), try xDotAfter(0.5), try xDotAfter(0))
        #expect(zero == 0 && abs(half - full / 2) < 1e-12)
    }

    @Test func cartPoleContinuousIsRegisteredWithTwoHundredStepTrials() throws {
        var env = try environments.make("CartPoleContinuous-v0")
        #expect(env.actionSpace == .box(low: -1, high: 1, shape: [1]))
        // Pushing towards the side the pole leans to keeps it up for the whole trial.
        var steps = 0, observation = env.resetFlat(seed: 1).observation
        var last: Transition<[Float]>
        repeat {
            last = try env.stepFlat([observation[2] + 0.5 * observation[3] > 0 ? 1 : -1])
            observation = last.observation
            steps += 1
        } while !last.isLast
        #expect(steps == 200 && last.truncated && !last.terminated)
    }

    /// The functions a planner scores imagined steps with give, on real steps, what the
    /// environment gave: the same reward and the same termination.
    @Test(arguments: ["CartPoleContinuous-v0", "Pendulum-v1"])
    func theFunctionsAgreeWithTheEnvironment(id: String) throws {
        var env = try environments.make(id)
        let model = try #require(env.planningModel)
        var generator = RandomGenerator(seed: 9)
        var observations: [Float] = [], actions: [Float] = [], next: [Float] = [], rewards: [Float] = [], ends: [Bool] = []
        var observation = env.resetFlat(seed: 3).observation
        for _ in 0..<600 {
            // Actions a little past the bounds too: the functions clip as the environment does.
            let action = env.actionSpace.sample(using: &generator).map { Float($0 * 1.2) }
            let t = try env.stepFlat(action.map(Double.init))
            observations += observation; actions += action; next += t.observation
            rewards.append(Float(t.reward)); ends.append(t.terminated)
            observation = t.isLast ? env.resetFlat(seed: nil).observation : t.observation
        }
        #expect(model.observationCount == env.observationSpace.flatCount && model.actionCount == 1)
        let predicted = model.reward(observations, actions, next)
        #expect(predicted.count == rewards.count)
        for (p, r) in zip(predicted, rewards) { #expect(abs(p - r) <= 1e-4 * Swift.max(1, abs(r)), "\(p) vs \(r)") }
        #expect(model.isTerminal(next) == ends)
        if id == "CartPoleContinuous-v0" { #expect(ends.contains(true), "random pushes topple the pole") }
    }
}
