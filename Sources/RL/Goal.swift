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
