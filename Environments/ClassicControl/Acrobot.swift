import Drawing
import Foundation
import RL
import Random

/// Sutton's (1996) acrobot with Gymnasium's `Acrobot-v1` dynamics: the "book" equations of
/// Sutton & Barto, one classical Runge–Kutta (RK4) step of 0.2 s per action, angles wrapped to
/// [−π, π], velocities bounded. Reward −1 per step, 0 on reaching the line. The registry adds
/// the 500-step `TimeLimit`.
public struct Acrobot: Environment, StateSettable, Codable {
    public static let dt = 0.2
    public static let linkLength1 = 1.0, linkMass1 = 1.0, linkMass2 = 1.0
    public static let linkCenter1 = 0.5, linkCenter2 = 0.5, linkInertia = 1.0
    public static let maxVelocity1 = 4 * Double.pi, maxVelocity2 = 9 * Double.pi
    public static let torques: [Double] = [-1, 0, 1]

    /// θ1, θ2, θ̇1, θ̇2, in Double.
    private var s = SIMD4<Double>()
    public var state: [Double] { [s[0], s[1], s[2], s[3]] }
    private var generator = RandomGenerator(seed: 0)

    public init() {}

    public var observationSpace: Space {
        let high = [1, 1, 1, 1, Self.maxVelocity1, Self.maxVelocity2].map { Double(Float($0)) }
        return .box(low: high.map { -$0 }, high: high, shape: [6])
    }

    public var actionSpace: Space { .discrete(3) }

    public mutating func reset(seed: UInt64?) -> (observation: [Float], info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        // Gymnasium draws U(−0.1, 0.1) and stores the state as float32 until the first step.
        for i in 0..<4 { s[i] = Double(Float(-0.1 + 0.2 * generator.nextUniformDouble())) }
        return (observation, Info())
    }

    public mutating func setState(_ newState: [Double]) throws {
        guard newState.count == 4 else { throw EnvironmentError.invalidState("Acrobot takes θ1, θ2, θ̇1, θ̇2 (4 numbers), got \(newState.count)") }
        s = SIMD4(newState[0], newState[1], newState[2], newState[3])
    }

    var observation: [Float] {
        [cos(s[0]), sin(s[0]), cos(s[1]), sin(s[1]), s[2], s[3]].map { Float($0) }
    }

    public mutating func step(_ action: Int) -> Transition<[Float]> {
        precondition((0..<3).contains(action), "Acrobot action must be 0, 1 or 2, got \(action)")
        var next = Self.rungeKutta4(s, torque: Self.torques[action], dt: Self.dt)
        next[0] = Self.wrap(next[0], -Double.pi, Double.pi)
        next[1] = Self.wrap(next[1], -Double.pi, Double.pi)
        next[2] = Swift.min(Swift.max(next[2], -Self.maxVelocity1), Self.maxVelocity1)
        next[3] = Swift.min(Swift.max(next[3], -Self.maxVelocity2), Self.maxVelocity2)
        s = next
        // The tip is more than one link above the pivot.
        let terminated = -cos(s[0]) - cos(s[1] + s[0]) > 1.0
        return Transition(observation: observation, reward: terminated ? 0 : -1, terminated: terminated, truncated: false)
    }

    /// ds/dt for the state (θ1, θ2, θ̇1, θ̇2) under `torque` on the second joint.
    static func derivative(_ s: SIMD4<Double>, torque a: Double) -> SIMD4<Double> {
        let (m1, m2, l1, lc1, lc2, i1, i2, g) = (linkMass1, linkMass2, linkLength1, linkCenter1, linkCenter2, linkInertia, linkInertia, 9.8)
        let (theta1, theta2, dtheta1, dtheta2) = (s[0], s[1], s[2], s[3])
        let d1 = m1 * lc1 * lc1 + m2 * (l1 * l1 + lc2 * lc2 + 2 * l1 * lc2 * cos(theta2)) + i1 + i2
        let d2 = m2 * (lc2 * lc2 + l1 * lc2 * cos(theta2)) + i2
        let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2)
        let phi1 = -m2 * l1 * lc2 * dtheta2 * dtheta2 * sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2) + phi2
        let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1 * dtheta1 * sin(theta2) - phi2)
            / (m2 * lc2 * lc2 + i2 - d2 * d2 / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return SIMD4(dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    /// One classical RK4 step, in the order Gymnasium's `rk4` evaluates it.
    static func rungeKutta4(_ y: SIMD4<Double>, torque: Double, dt: Double) -> SIMD4<Double> {
        let k1 = derivative(y, torque: torque)
        let k2 = derivative(y + dt / 2 * k1, torque: torque)
        let k3 = derivative(y + dt / 2 * k2, torque: torque)
        let k4 = derivative(y + dt * k3, torque: torque)
        return y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    }

    /// Gymnasium's `wrap`: a few subtractions of the span, bit for bit as it does them; an angle
    /// many turns away (only a start state far outside the physics gives one) is reduced at once.
    static func wrap(_ x: Double, _ low: Double, _ high: Double) -> Double {
        guard x.isFinite else { return x }
        let span = high - low
        var x = abs(x) > 8 * span ? low + (x - low).truncatingRemainder(dividingBy: span) : x
        while x > high { x -= span }
        while x < low { x += span }
        return x
    }
}

extension Acrobot: DynamicEnvironment {
    public var scene: any Scene { AcrobotScene(theta1: s[0], theta2: s[1]) }

    public func renderText() -> String {
        let tip = -cos(s[0]) - cos(s[1] + s[0])
        return String(format: "θ1=%+.3f θ2=%+.3f θ̇1=%+.3f θ̇2=%+.3f  tip height %+.2f (goal > 1)",
                      s[0], s[1], s[2], s[3], tip)
    }
}
