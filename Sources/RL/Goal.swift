/// An observation of a goal-conditioned task (Gymnasium-Robotics' `GoalEnv` dictionary): the
/// state, the goal the state achieves, and the goal the agent is asked for.
public struct GoalObservation: Equatable, Sendable, FlatObservation {
    public var observation: [Float]
    public var achievedGoal: [Float]
    public var desiredGoal: [Float]

    public init(observation: [Float], achievedGoal: [Float], desiredGoal: [Float]) {
        self.observation = observation
        self.achievedGoal = achievedGoal
        self.desiredGoal = desiredGoal
    }

    /// Flat form: observation, then achieved goal, then desired goal.
    public var flatCount: Int { observation.count + achievedGoal.count + desiredGoal.count }

    public func write(into destination: UnsafeMutablePointer<Float>) {
        observation.write(into: destination)
        achievedGoal.write(into: destination + observation.count)
        desiredGoal.write(into: destination + observation.count + achievedGoal.count)
    }
}

/// A task whose reward can be recomputed for any goal, which is what hindsight experience
/// replay (Andrychowicz et al., 2017) needs to relabel stored transitions.
public protocol GoalEnvironment: Environment where Observation == GoalObservation {
    /// The reward for reaching `achievedGoal` when `desiredGoal` was asked for.
    func reward(achievedGoal: [Float], desiredGoal: [Float]) -> Double
}

/// How a goal task's flat observation is laid out and how its reward is recomputed for any goal:
/// what hindsight relabelling needs of an environment it sees only as flat numbers. The flat
/// observation is `observation ++ achieved goal ++ desired goal` (`GoalObservation.write`).
public struct GoalModel {
    public let observationCount: Int, goalCount: Int
    /// Gymnasium-Robotics' `compute_reward(achieved_goal, desired_goal, info)` for one pair.
    public let reward: ([Float], [Float]) -> Double

    public init(observationCount: Int, goalCount: Int, reward: @escaping ([Float], [Float]) -> Double) {
        (self.observationCount, self.goalCount, self.reward) = (observationCount, goalCount, reward)
    }

    /// Where the achieved and desired goals sit in a flat observation row.
    public var achievedRange: Range<Int> { observationCount..<(observationCount + goalCount) }
    public var desiredRange: Range<Int> { (observationCount + goalCount)..<(observationCount + 2 * goalCount) }
}

extension GoalEnvironment {
    /// The layout of this task's flat observations and its reward function.
    public func makeGoalModel() -> GoalModel {
        var copy = self
        let first = copy.reset(seed: 0).observation
        let task = self
        return GoalModel(observationCount: first.observation.count, goalCount: first.desiredGoal.count) {
            task.reward(achievedGoal: $0, desiredGoal: $1)
        }
    }
}
