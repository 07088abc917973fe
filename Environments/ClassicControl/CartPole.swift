import Drawing
import Foundation
import RL
import Random

/// Barto, Sutton & Anderson's (1983) cart-pole, with Gymnasium's `CartPole-v1` equations,
/// constants, bounds and termination (explicit Euler, τ = 0.02 s). The MDP itself never
/// truncates; the registry adds the 500-step `TimeLimit`, as `gymnasium.make` does.
public struct CartPole: Environment, StateSettable, Codable {
    public static let gravity = 9.8, massCart = 1.0, massPole = 0.1
    public static let totalMass = massPole + massCart
    public static let halfLength = 0.5  // "length" in Gymnasium: half the pole
    public static let poleMassLength = massPole * halfLength
    public static let forceMagnitude = 10.0, tau = 0.02
    public static let thetaThreshold = 12 * 2 * Double.pi / 360
    public static let xThreshold = 2.4

    /// Reward 0 per step and −1 on failure instead of +1 per step (Gymnasium's `sutton_barto_reward`).
    public let suttonBartoReward: Bool
    /// x, ẋ, θ, θ̇, in Double as Gymnasium integrates them (a SIMD value: no allocation per step).
    private var s = SIMD4<Double>()
    public var state: [Double] { [s[0], s[1], s[2], s[3]] }
    private var stepsBeyondTerminated: Int?
    private var generator = RandomGenerator(seed: 0)

    public init(suttonBartoReward: Bool = false) { self.suttonBartoReward = suttonBartoReward }

    public var observationSpace: Space {
        let high = [Self.xThreshold * 2, .infinity, Self.thetaThreshold * 2, .infinity].map { Double(Float($0)) }
        return .box(low: high.map { -$0 }, high: high, shape: [4])
    }

    public var actionSpace: Space { .discrete(2) }

    public mutating func reset(seed: UInt64?) -> (observation: SIMD4<Float>, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        for i in 0..<4 { s[i] = -0.05 + 0.1 * generator.nextUniformDouble() }
        stepsBeyondTerminated = nil
        return (observation, Info())
    }

    public mutating func setState(_ newState: [Double]) throws {
        guard newState.count == 4 else { throw EnvironmentError.invalidState("CartPole takes x, ẋ, θ, θ̇ (4 numbers), got \(newState.count)") }
        s = SIMD4(newState[0], newState[1], newState[2], newState[3])
        stepsBeyondTerminated = nil
    }

    /// One explicit Euler step of x, ẋ, θ, θ̇ under a horizontal `force` on the cart.
    static func next(_ s: SIMD4<Double>, force: Double) -> SIMD4<Double> {
        var (x, xDot, theta, thetaDot) = (s[0], s[1], s[2], s[3])
        let (cosTheta, sinTheta) = (cos(theta), sin(theta))
        // Florian (2007), "Correct equations for the dynamics of the cart-pole system".
        let temp = (force + poleMassLength * thetaDot * thetaDot * sinTheta) / totalMass
        let thetaAcc = (gravity * sinTheta - cosTheta * temp)
            / (halfLength * (4.0 / 3.0 - massPole * cosTheta * cosTheta / totalMass))
        let xAcc = temp - poleMassLength * thetaAcc * cosTheta / totalMass
        x += tau * xDot
        xDot += tau * xAcc
        theta += tau * thetaDot
        thetaDot += tau * thetaAcc
        return SIMD4(x, xDot, theta, thetaDot)
    }

    /// The cart left the track or the pole leaned past 12°.
    static func isTerminal<T: BinaryFloatingPoint>(x: T, theta: T) -> Bool {
        x < -T(xThreshold) || x > T(xThreshold) || theta < -T(thetaThreshold) || theta > T(thetaThreshold)
    }

    /// x, ẋ, θ, θ̇ as Float32 — a value type, so stepping allocates nothing.
    var observation: SIMD4<Float> { SIMD4(Float(s[0]), Float(s[1]), Float(s[2]), Float(s[3])) }

    public mutating func step(_ action: Int) -> Transition<SIMD4<Float>> {
        precondition(action == 0 || action == 1, "CartPole action must be 0 or 1, got \(action)")
        s = Self.next(s, force: action == 1 ? Self.forceMagnitude : -Self.forceMagnitude)
        let terminated = Self.isTerminal(x: s[0], theta: s[2])
        let reward: Double
        if !terminated {
            reward = suttonBartoReward ? 0 : 1
        } else if stepsBeyondTerminated == nil {
            stepsBeyondTerminated = 0  // the pole just fell
            reward = suttonBartoReward ? -1 : 1
        } else {
            stepsBeyondTerminated! += 1  // stepping past the end is undefined; Gymnasium gives 0
            reward = suttonBartoReward ? -1 : 0
        }
        return Transition(observation: observation, reward: reward, terminated: terminated, truncated: false)
    }
}

extension CartPole: DynamicEnvironment {
    public var scene: any Scene { CartPoleScene(position: s[0], angle: s[2], trackLimit: Self.xThreshold) }

    public func renderText() -> String {
        // A 41-column track from −2.4 to 2.4 with the cart, and the pole's angle in degrees.
        let column = Int(((s[0] + Self.xThreshold) / (2 * Self.xThreshold) * 40).rounded())
        var track = Array(repeating: Character("-"), count: 41)
        track[Swift.min(Swift.max(column, 0), 40)] = "█"
        return String(track) + String(format: "  x=%+.3f  θ=%+.1f°", s[0], s[2] * 180 / .pi)
    }
}
