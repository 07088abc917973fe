/// An environment's reward and termination as functions of batches of transitions: what a
/// model-based planner scores imagined rollouts with when only the dynamics are learned
/// (MBRL-Lib's `reward_fns` and `termination_fns`). Rows are row-major flat observations and
/// actions, as the agents see them.
public struct PlanningModel: Sendable {
    public let observationCount: Int, actionCount: Int
    /// One reward per row of (observation, action, next observation): the reward the environment
    /// gives for that step.
    public let reward: @Sendable (_ observations: [Float], _ actions: [Float], _ nextObservations: [Float]) -> [Float]
    /// Whether each row of next observations ends the episode (Gymnasium's `terminated`).
    public let isTerminal: @Sendable (_ nextObservations: [Float]) -> [Bool]

    public init(observationCount: Int, actionCount: Int,
                reward: @escaping @Sendable ([Float], [Float], [Float]) -> [Float],
                isTerminal: @escaping @Sendable ([Float]) -> [Bool]) {
        (self.observationCount, self.actionCount, self.reward, self.isTerminal) = (observationCount, actionCount, reward, isTerminal)
    }
}

/// An environment whose reward and termination are known functions of the observations (not of
/// hidden state), so a planner can evaluate them on predicted observations.
public protocol PlanningTask {
    static var planningModel: PlanningModel { get }
}
