import Drawing
import Foundation
import RL
import Random

/// The inverted pendulum swing-up with Gymnasium's `Pendulum-v1` dynamics: a torque in
/// [−2, 2] (continuous), cost θ² + 0.1·θ̇² + 0.001·u² with θ normalised to [−π, π).
/// It never terminates; the registry adds the 200-step `TimeLimit`.
public struct Pendulum: Environment, StateSettable, Codable {
    public static let maxSpeed = 8.0, maxTorque: Float = 2, dt = 0.05, mass = 1.0, length = 1.0

    public let gravity: Double
    /// θ and θ̇, in Double.
    private var s = SIMD2<Double>()
    public var state: [Double] { [s[0], s[1]] }
    /// The clipped torque of the last step (nil right after reset).
    public private(set) var lastTorque: Float?
    private var generator = RandomGenerator(seed: 0)

    public init(gravity: Double = 10) { self.gravity = gravity }

    public var observationSpace: Space { .box(low: [-1, -1, -Self.maxSpeed], high: [1, 1, Self.maxSpeed], shape: [3]) }
    public var actionSpace: Space { .box(low: -Double(Self.maxTorque), high: Double(Self.maxTorque), shape: [1]) }

    public mutating func reset(seed: UInt64?) -> (observation: SIMD3<Float>, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        s = SIMD2(-Double.pi + 2 * Double.pi * generator.nextUniformDouble(), -1 + 2 * generator.nextUniformDouble())
        lastTorque = nil
        return (observation, Info())
    }

    public mutating func setState(_ newState: [Double]) throws {
        guard newState.count == 2 else { throw EnvironmentError.invalidState("Pendulum takes θ, θ̇ (2 numbers), got \(newState.count)") }
        s = SIMD2(newState[0], newState[1])
    }

    var observation: SIMD3<Float> { SIMD3(Float(cos(s[0])), Float(sin(s[0])), Float(s[1])) }

    public mutating func step(_ action: [Float]) -> Transition<SIMD3<Float>> {
        precondition(action.count == 1, "Pendulum takes one torque, got \(action.count) numbers")
        let (theta, thetaDot) = (s[0], s[1])
        // The torque stays float32 as in Gymnasium, where NumPy keeps float32 × Python float in float32.
        let u = Swift.min(Swift.max(action[0], -Self.maxTorque), Self.maxTorque)
        lastTorque = u
        let cost = Self.normalizedAngle(theta) * Self.normalizedAngle(theta) + 0.1 * thetaDot * thetaDot
            + Double(Float(0.001) * (u * u))
        var newThetaDot = thetaDot + (3 * gravity / (2 * Self.length) * sin(theta)
            + Double(Float(3.0 / (Self.mass * Self.length * Self.length)) * u)) * Self.dt
        newThetaDot = Swift.min(Swift.max(newThetaDot, -Self.maxSpeed), Self.maxSpeed)
        s = SIMD2(theta + newThetaDot * Self.dt, newThetaDot)
        return Transition(observation: observation, reward: -cost, terminated: false, truncated: false)
    }

    /// ((θ + π) mod 2π) − π with Python's floored modulo.
    static func normalizedAngle(_ theta: Double) -> Double {
        let period = 2 * Double.pi
        var r = fmod(theta + Double.pi, period)
        if r != 0 && r < 0 { r += period }
        return r - Double.pi
    }
}

extension Pendulum: DynamicEnvironment {
    public var scene: any Scene { PendulumScene(angle: Self.normalizedAngle(s[0]), torque: lastTorque.map(Double.init)) }

    public func renderText() -> String {
        String(format: "θ=%+.3f (0 is upright)  θ̇=%+.3f", Self.normalizedAngle(s[0]), s[1])
    }
}
