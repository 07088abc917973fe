import Drawing
import Foundation
import RL
import Random

/// Moore's (1990) mountain car with Gymnasium's `MountainCar-v0` dynamics: push left, none or
/// right; reward −1 per step; terminated at position ≥ 0.5 (with velocity ≥ goal velocity).
/// The registry adds the 200-step `TimeLimit`.
public struct MountainCar: Environment, StateSettable, Codable {
    public static let minPosition = -1.2, maxPosition = 0.6, maxSpeed = 0.07
    public static let goalPosition = 0.5, force = 0.001, gravity = 0.0025

    public let goalVelocity: Double
    /// Position and velocity, in Double.
    private var s = SIMD2<Double>()
    public var state: [Double] { [s[0], s[1]] }
    private var generator = RandomGenerator(seed: 0)

    public init(goalVelocity: Double = 0) { self.goalVelocity = goalVelocity }

    public var observationSpace: Space {
        .box(low: [Self.minPosition, -Self.maxSpeed].map { Double(Float($0)) },
             high: [Self.maxPosition, Self.maxSpeed].map { Double(Float($0)) }, shape: [2])
    }

    public var actionSpace: Space { .discrete(3) }

    public mutating func reset(seed: UInt64?) -> (observation: SIMD2<Float>, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        s = SIMD2(-0.6 + 0.2 * generator.nextUniformDouble(), 0)
        return (SIMD2<Float>(s), Info())
    }

    public mutating func setState(_ newState: [Double]) throws {
        guard newState.count == 2 else { throw EnvironmentError.invalidState("MountainCar takes position, velocity (2 numbers), got \(newState.count)") }
        s = SIMD2(newState[0], newState[1])
    }

    public mutating func step(_ action: Int) -> Transition<SIMD2<Float>> {
        precondition((0..<3).contains(action), "MountainCar action must be 0, 1 or 2, got \(action)")
        var (position, velocity) = (s[0], s[1])
        velocity += Double(action - 1) * Self.force + cos(3 * position) * -Self.gravity
        velocity = Swift.min(Swift.max(velocity, -Self.maxSpeed), Self.maxSpeed)
        position += velocity
        position = Swift.min(Swift.max(position, Self.minPosition), Self.maxPosition)
        if position == Self.minPosition && velocity < 0 { velocity = 0 }  // inelastic left wall
        s = SIMD2(position, velocity)
        let terminated = position >= Self.goalPosition && velocity >= goalVelocity
        return Transition(observation: SIMD2<Float>(s), reward: -1, terminated: terminated, truncated: false)
    }
}

extension MountainCar: DynamicEnvironment {
    public var scene: any Scene { MountainCarScene(position: s[0], goal: Self.goalPosition, bounds: Self.minPosition...Self.maxPosition) }

    public func renderText() -> String {
        let column = Int(((s[0] - Self.minPosition) / (Self.maxPosition - Self.minPosition) * 36).rounded())
        var road = Array(repeating: Character("_"), count: 37)
        road[36] = "⚑"
        road[Swift.min(Swift.max(column, 0), 36)] = "■"
        return String(road) + String(format: "  position=%+.3f  velocity=%+.4f", s[0], s[1])
    }
}
