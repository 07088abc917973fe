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

/// A goal-conditioned task in Gymnasium-Robotics' `GoalEnv` convention: dictionary observations
/// (`GoalObservation`), a reward recomputable for any goal by the vectorised
/// `compute_reward(achieved_goal, desired_goal, info)`, and `info["is_success"]` (1 or 0) on
/// every step — what hindsight experience replay (Andrychowicz et al., 2017) needs to relabel
/// stored transitions, and what success rates are measured by.
public protocol GoalEnvironment: Environment where Observation == GoalObservation {
    /// The number of values in a goal (the achieved and desired goals have this many each).
    var goalCount: Int { get }
    /// `compute_reward` over rows: `achievedGoals` and `desiredGoals` hold the same number of
    /// goals, `goalCount` values each, row after row; one reward per row.
    func computeReward(achievedGoals: [Float], desiredGoals: [Float]) -> [Double]
    /// Whether `achievedGoal` reaches `desiredGoal`: what `info["is_success"]` reports.
    func isSuccess(achievedGoal: [Float], desiredGoal: [Float]) -> Bool
}

extension GoalEnvironment {
    /// The reward for one pair of goals.
    public func computeReward(achievedGoal: [Float], desiredGoal: [Float]) -> Double {
        computeReward(achievedGoals: achievedGoal, desiredGoals: desiredGoal)[0]
    }

    /// The step's `info`: `is_success` as a number, as Gymnasium-Robotics reports it.
    public func goalInfo(_ observation: GoalObservation) -> Info {
        ["is_success": .number(isSuccess(achievedGoal: observation.achievedGoal, desiredGoal: observation.desiredGoal) ? 1 : 0)]
    }
}

/// How a goal task's flat observation is laid out and how its reward is recomputed for any goal:
/// what hindsight relabelling needs of an environment it sees only as flat numbers. The flat
/// observation is `observation ++ achieved goal ++ desired goal` (`GoalObservation.write`).
public struct GoalModel {
    public let observationCount: Int, goalCount: Int
    /// Gymnasium-Robotics' `compute_reward(achieved_goal, desired_goal, info)` over rows of goals.
    public let computeReward: (_ achievedGoals: [Float], _ desiredGoals: [Float]) -> [Double]

    public init(observationCount: Int, goalCount: Int, computeReward: @escaping ([Float], [Float]) -> [Double]) {
        (self.observationCount, self.goalCount, self.computeReward) = (observationCount, goalCount, computeReward)
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
        return GoalModel(observationCount: first.observation.count, goalCount: goalCount) {
            task.computeReward(achievedGoals: $0, desiredGoals: $1)
        }
    }
}
