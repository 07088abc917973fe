import Drawing
import Foundation
import RL
import Random

/// MBRL-Lib's `cartpole_continuous` (the PETS benchmark task): Gymnasium's cart-pole equations,
/// constants and termination, with a force a·10 N for an action a in [−1, 1] (not clipped, as
/// there), +1 per step including the one the pole falls on. The registry adds the 200-step
/// trials as a `TimeLimit`.
public struct CartPoleContinuous: Environment, StateSettable, Codable {
    public static let minAction: Float = -1, maxAction: Float = 1

    /// x, ẋ, θ, θ̇, in Double.
    private var s = SIMD4<Double>()
    public var state: [Double] { [s[0], s[1], s[2], s[3]] }
    private var generator = RandomGenerator(seed: 0)
    /// The force of the last step (nil right after reset), for the scene.
    private var lastAction: Float?

    public init() {}

    public var observationSpace: Space { CartPole().observationSpace }
    public var actionSpace: Space { .box(low: Double(Self.minAction), high: Double(Self.maxAction), shape: [1]) }

    public mutating func reset(seed: UInt64?) -> (observation: SIMD4<Float>, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        for i in 0..<4 { s[i] = -0.05 + 0.1 * generator.nextUniformDouble() }
        lastAction = nil
        return (observation, Info())
    }

    public mutating func setState(_ newState: [Double]) throws {
        guard newState.count == 4 else { throw EnvironmentError.invalidState("CartPoleContinuous takes x, ẋ, θ, θ̇ (4 numbers), got \(newState.count)") }
        s = SIMD4(newState[0], newState[1], newState[2], newState[3])
    }

    var observation: SIMD4<Float> { SIMD4(Float(s[0]), Float(s[1]), Float(s[2]), Float(s[3])) }

    public mutating func step(_ action: [Float]) -> Transition<SIMD4<Float>> {
        precondition(action.count == 1, "CartPoleContinuous takes one force, got \(action.count) numbers")
        lastAction = action[0]
        s = CartPole.next(s, force: Double(action[0]) * CartPole.forceMagnitude)
        return Transition(observation: observation, reward: 1, terminated: CartPole.isTerminal(x: s[0], theta: s[2]), truncated: false)
    }
}

extension CartPoleContinuous: PlanningTask {
    /// +1 for every step; the episode ends when the next observation is off the track or past 12°.
    public static let planningModel = PlanningModel(
        observationCount: 4, actionCount: 1,
        reward: { _, actions, _ in [Float](repeating: 1, count: actions.count) },
        isTerminal: { next in stride(from: 0, to: next.count, by: 4).map { CartPole.isTerminal(x: next[$0], theta: next[$0 + 2]) } })
}

extension CartPoleContinuous: DynamicEnvironment {
    public var scene: any Scene { CartPoleScene(position: s[0], angle: s[2], trackLimit: CartPole.xThreshold) }

    public func renderText() -> String {
        String(format: "x=%+.3f  θ=%+.1f°  force=%+.2f", s[0], s[2] * 180 / .pi, Double(lastAction ?? 0) * CartPole.forceMagnitude)
    }
}

extension Pendulum: PlanningTask {
    /// −(θ² + 0.1·θ̇² + 0.001·u²) of the observation acted on (θ = atan2(sin θ, cos θ), already in
    /// [−π, π]) and the clipped torque; Pendulum never terminates.
    public static let planningModel = PlanningModel(
        observationCount: 3, actionCount: 1,
        reward: { observations, actions, _ in
            actions.indices.map { i in
                let theta = Foundation.atan2(Double(observations[3 * i + 1]), Double(observations[3 * i]))
                let thetaDot = Double(observations[3 * i + 2])
                let u = Swift.min(Swift.max(actions[i], -maxTorque), maxTorque)
                return Float(-(theta * theta + 0.1 * thetaDot * thetaDot + Double(Float(0.001) * (u * u))))
            }
        },
        isTerminal: { next in [Bool](repeating: false, count: next.count / 3) })
}
