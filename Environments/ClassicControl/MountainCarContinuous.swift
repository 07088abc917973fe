import Drawing
import Foundation
import RL
import Random

/// The mountain car with a continuous force, Gymnasium's `MountainCarContinuous-v0`: a push in
/// [−1, 1] (clipped) times power 0.0015; reward −0.1·a² per step (of the unclipped action) plus
/// 100 on reaching the goal; terminated at position ≥ 0.45 with velocity ≥ goal velocity. The
/// registry adds the 999-step `TimeLimit`.
///
/// Gymnasium keeps this state in float32 after every step (the discrete MountainCar keeps
/// float64), but `reset` and a state set by hand are float64 arrays, so the first step runs in
/// double precision. The step reproduces NumPy's arithmetic in each case: float32 × Python
/// float stays float32, comparisons with Python floats happen in float32, and a clipped value
/// is a Python float again.
public struct MountainCarContinuous: Environment, StateSettable, Codable {
    public static let minPosition = -1.2, maxPosition = 0.6, maxSpeed = 0.07
    public static let goalPosition = 0.45, power = 0.0015, gravity = 0.0025
    public static let minAction: Float = -1, maxAction: Float = 1

    public let goalVelocity: Double
    /// Position and velocity, in Double (each a float32 value once `float32State` holds).
    private var s = SIMD2<Double>()
    /// Whether Gymnasium would hold the state as float32 (after a step) rather than float64
    /// (after reset or setState).
    private var float32State = false
    public var state: [Double] { [s[0], s[1]] }
    private var generator = RandomGenerator(seed: 0)

    public init(goalVelocity: Double = 0) { self.goalVelocity = goalVelocity }

    public var observationSpace: Space {
        .box(low: [Self.minPosition, -Self.maxSpeed].map { Double(Float($0)) },
             high: [Self.maxPosition, Self.maxSpeed].map { Double(Float($0)) }, shape: [2])
    }

    public var actionSpace: Space { .box(low: Double(Self.minAction), high: Double(Self.maxAction), shape: [1]) }

    public mutating func reset(seed: UInt64?) -> (observation: SIMD2<Float>, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        s = SIMD2(-0.6 + 0.2 * generator.nextUniformDouble(), 0)
        float32State = false
        return (SIMD2<Float>(s), Info())
    }

    /// Sets the state as Gymnasium's `env.unwrapped.state = np.array(state)` (float64) does.
    public mutating func setState(_ newState: [Double]) throws {
        guard newState.count == 2 else {
            throw EnvironmentError.invalidState("MountainCarContinuous takes position, velocity (2 numbers), got \(newState.count)")
        }
        s = SIMD2(newState[0], newState[1])
        float32State = false
    }

    public mutating func step(_ action: [Float]) -> Transition<SIMD2<Float>> {
        precondition(action.count == 1, "MountainCarContinuous takes one force, got \(action.count) numbers")
        let a = action[0], single = float32State
        // Python's min(max(a, -1.0), 1.0): the float32 action, or the Python float ±1.0 when clipped.
        let clipped = a < Self.minAction || a > Self.maxAction
        let force = a < Self.minAction ? Self.minAction : (a > Self.maxAction ? Self.maxAction : a)
        // 0.0025 · cos(3·position), with 3·position rounded to float32 for a float32 state.
        let slope = Self.gravity * cos(single ? Double(3 * Float(s[0])) : 3 * s[0])
        // force · power − slope: float32 unless the force was clipped to a Python float.
        let dv = clipped ? Double(force) * Self.power - slope : Double(force * Float(Self.power) - Float(slope))
        var velocity = single ? Double(Float(s[1]) + Float(dv)) : s[1] + dv
        // Comparisons against a float32 state round the bound to float32; clipping assigns the Python float.
        func bound(_ x: Double) -> Double { single ? Double(Float(x)) : x }
        var velocityIsFloat32 = single
        if velocity > bound(Self.maxSpeed) { (velocity, velocityIsFloat32) = (Self.maxSpeed, false) }
        if velocity < bound(-Self.maxSpeed) { (velocity, velocityIsFloat32) = (-Self.maxSpeed, false) }
        var position = single ? Double(Float(s[0]) + Float(velocity)) : s[0] + velocity
        if position > bound(Self.maxPosition) { position = Self.maxPosition }
        if position < bound(Self.minPosition) { position = Self.minPosition }
        let atWall = single ? Float(position) == Float(Self.minPosition) : position == Self.minPosition
        if atWall && velocity < 0 { (velocity, velocityIsFloat32) = (0, false) }  // inelastic left wall
        let atGoal = single ? Float(position) >= Float(Self.goalPosition) : position >= Self.goalPosition
        let fastEnough = velocityIsFloat32 ? Float(velocity) >= Float(goalVelocity) : velocity >= goalVelocity
        let terminated = atGoal && fastEnough
        // Gymnasium charges the unclipped action: reward −= action[0]² · 0.1, in double.
        let reward = (terminated ? 100 : 0) - Double(a) * Double(a) * 0.1
        s = SIMD2(Double(Float(position)), Double(Float(velocity)))
        float32State = true
        return Transition(observation: SIMD2<Float>(s), reward: reward, terminated: terminated, truncated: false)
    }
}

extension MountainCarContinuous: DynamicEnvironment {
    public var scene: any Scene { MountainCarScene(position: s[0], goal: Self.goalPosition, bounds: Self.minPosition...Self.maxPosition) }

    public func renderText() -> String {
        func column(_ x: Double) -> Int {
            Swift.min(Swift.max(Int(((x - Self.minPosition) / (Self.maxPosition - Self.minPosition) * 36).rounded()), 0), 36)
        }
        var road = Array(repeating: Character("_"), count: 37)
        road[column(Self.goalPosition)] = "⚑"
        road[column(s[0])] = "■"
        return String(road) + String(format: "  position=%+.3f  velocity=%+.4f", s[0], s[1])
    }
}
