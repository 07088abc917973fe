import Drawing
import Foundation
import RL
import Random

/// A point mass on the square [−1, 1]² that must reach a goal disc: the continuous goal task for
/// SAC/TD3 + HER that needs no physics engine. The action is a force in [−1, 1]² (clipped);
/// with dt = 0.1, v ← clip(v + dt·5·a, ±2) and p ← clip(p + dt·v, ±1), a wall stopping the
/// velocity component that hits it. Start and goal are drawn uniformly on the square at reset.
/// Observation (p, v), achieved goal p, desired goal g. As Gymnasium-Robotics' tasks, the
/// reward is sparse, −[‖p − g‖ > r], or dense, −‖p − g‖; `is_success` is ‖p − g‖ ≤ r; episodes
/// do not end on success (the registry truncates them at 50 steps).
public struct PointMass: GoalEnvironment, Codable {
    public enum Reward: String, Codable, Sendable { case sparse, dense }

    public static let dt: Float = 0.1, acceleration: Float = 5, maxSpeed: Float = 2

    public let reward: Reward
    /// The goal disc's radius (Gymnasium-Robotics' `distance_threshold`).
    public let radius: Float
    public private(set) var position = SIMD2<Float>(), velocity = SIMD2<Float>(), goal = SIMD2<Float>()
    private var generator = RandomGenerator(seed: 0)

    public init(reward: Reward = .sparse, radius: Float = 0.1) {
        precondition(radius > 0 && radius.isFinite, "the goal radius must be positive")
        (self.reward, self.radius) = (reward, radius)
    }

    public var observationSpace: Space {
        let s = Double(Self.maxSpeed)
        return .box(low: [-1, -1, -s, -s, -1, -1, -1, -1], high: [1, 1, s, s, 1, 1, 1, 1], shape: [8])
    }
    public var actionSpace: Space { .box(low: -1, high: 1, shape: [2]) }
    public var goalCount: Int { 2 }

    var observation: GoalObservation {
        GoalObservation(observation: [position.x, position.y, velocity.x, velocity.y],
                        achievedGoal: [position.x, position.y], desiredGoal: [goal.x, goal.y])
    }

    /// The Euclidean distance of each row of achieved goals to its desired goal.
    func distances(_ achieved: [Float], _ desired: [Float]) -> [Float] {
        precondition(achieved.count == desired.count && achieved.count % 2 == 0, "goals must come in rows of 2")
        return stride(from: 0, to: achieved.count, by: 2).map { i in
            let dx = achieved[i] - desired[i], dy = achieved[i + 1] - desired[i + 1]
            return (dx * dx + dy * dy).squareRoot()
        }
    }

    public func computeReward(achievedGoals: [Float], desiredGoals: [Float]) -> [Double] {
        distances(achievedGoals, desiredGoals).map { d in
            switch reward {
            case .sparse: d > radius ? -1 : 0
            case .dense: -Double(d)
            }
        }
    }

    public func isSuccess(achievedGoal: [Float], desiredGoal: [Float]) -> Bool { distances(achievedGoal, desiredGoal)[0] <= radius }

    public mutating func reset(seed: UInt64?) -> (observation: GoalObservation, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        func uniform() -> Float { Float(generator.nextUniformDouble() * 2 - 1) }
        position = SIMD2(uniform(), uniform())
        velocity = .zero
        goal = SIMD2(uniform(), uniform())
        return (observation, goalInfo(observation))
    }

    public mutating func step(_ action: [Float]) -> Transition<GoalObservation> {
        precondition(action.count == 2, "PointMass takes a 2-D force, got \(action.count) numbers")
        let force = SIMD2(action[0], action[1]).clamped(lowerBound: SIMD2(repeating: -1), upperBound: SIMD2(repeating: 1))
        velocity = (velocity + Self.dt * Self.acceleration * force)
            .clamped(lowerBound: SIMD2(repeating: -Self.maxSpeed), upperBound: SIMD2(repeating: Self.maxSpeed))
        let moved = position + Self.dt * velocity
        position = moved.clamped(lowerBound: SIMD2(repeating: -1), upperBound: SIMD2(repeating: 1))
        for axis in 0..<2 where position[axis] != moved[axis] { velocity[axis] = 0 }  // the wall stops it
        let observation = observation
        return Transition(observation: observation,
                          reward: computeReward(achievedGoal: observation.achievedGoal, desiredGoal: observation.desiredGoal),
                          terminated: false, truncated: false, info: goalInfo(observation))
    }

    // A checkpoint's state must be a point on the square moving within the speed limit.
    enum CodingKeys: String, CodingKey { case reward, radius, position, velocity, goal, generator }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let radius = try container.decode(Float.self, forKey: .radius)
        guard radius > 0, radius.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.radius], debugDescription: "the radius must be positive"))
        }
        self.init(reward: try container.decode(Reward.self, forKey: .reward), radius: radius)
        let position = try container.decode(SIMD2<Float>.self, forKey: .position)
        let velocity = try container.decode(SIMD2<Float>.self, forKey: .velocity), goal = try container.decode(SIMD2<Float>.self, forKey: .goal)
        func inside(_ v: SIMD2<Float>, _ bound: Float) -> Bool { (0..<2).allSatisfy { abs(v[$0]) <= bound } }  // NaN fails too
        guard inside(position, 1), inside(goal, 1), inside(velocity, Self.maxSpeed) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.position],
                                                    debugDescription: "position and goal must lie in [−1, 1]², the speed within ±\(Self.maxSpeed)"))
        }
        (self.position, self.velocity, self.goal) = (position, velocity, goal)
        generator = try container.decode(RandomGenerator.self, forKey: .generator)
    }
}

extension PointMass: DynamicEnvironment {
    public var scene: any Scene {
        PointMassScene(position: (Double(position.x), Double(position.y)), goal: (Double(goal.x), Double(goal.y)), radius: Double(radius))
    }

    public func renderText() -> String {
        func f(_ v: Float) -> String { String(format: "%+.3f", Double(v)) }
        return "position (\(f(position.x)), \(f(position.y)))  velocity (\(f(velocity.x)), \(f(velocity.y)))\n"
            + "goal (\(f(goal.x)), \(f(goal.y)))  distance \(f(distances([position.x, position.y], [goal.x, goal.y])[0]))"
    }
}

/// The square seen from above: the goal disc and the point mass.
public struct PointMassScene: Scene, Equatable {
    public var position: (x: Double, y: Double), goal: (x: Double, y: Double), radius: Double

    public init(position: (x: Double, y: Double), goal: (x: Double, y: Double), radius: Double) {
        (self.position, self.goal, self.radius) = (position, goal, radius)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.position == b.position && a.goal == b.goal && a.radius == b.radius
    }

    public var size: (width: Int, height: Int) { (400, 400) }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        let scale = 180.0, centre = 200.0  // [−1, 1]² onto 360 pixels, y up
        c.fill(x: 20, y: 20, width: 360, height: 360, .ice)
        c.disc(centerX: centre + scale * goal.x, centerY: centre - scale * goal.y, radius: scale * radius, .goal)
        c.disc(centerX: centre + scale * position.x, centerY: centre - scale * position.y, radius: 8, .agent)
    }
}
