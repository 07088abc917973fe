import Random

/// Checks the contract every environment promises, as `gymnasium.utils.env_checker` does:
/// observations lie in the observation space, rewards are finite, the same seed and actions
/// give the same episode, and `reset(seed:)` restarts the generator. Returns the problems
/// found (empty: the environment passes).
public func checkEnvironment(steps: Int = 300, seed: UInt64 = 7,
                             make: () throws -> any DynamicEnvironment) rethrows -> [String] {
    var problems: [String] = []
    var reported: [String: Int] = [:]
    /// Records a problem; at most three of each kind, so one fault does not hide the others.
    func note(_ kind: String, _ problem: String) {
        reported[kind, default: 0] += 1
        if reported[kind]! <= 3 { problems.append(problem) }
    }

    /// Runs `steps` random actions (fixed stream) with resets at episode ends; returns the trace.
    func trace(_ environment: inout any DynamicEnvironment) -> [[Float]] {
        var actions = RandomGenerator(seed: seed &+ 1)
        var observations: [[Float]] = []
        var observation = environment.resetFlat(seed: seed).observation
        observations.append(observation)
        if !environment.observationSpace.contains(observation.map(Double.init)) {
            note("space", "reset observation \(observation) is outside \(environment.observationSpace)")
        }
        for t in 0..<steps {
            let action = environment.actionSpace.sample(using: &actions)
            let transition: Transition<[Float]>
            do {
                transition = try environment.stepFlat(action)
            } catch {
                note("action", "step \(t) rejected a sampled action \(action): \(error)")
                return observations
            }
            if !environment.observationSpace.contains(transition.observation.map(Double.init)) {
                note("space", "step \(t) observation \(transition.observation) is outside \(environment.observationSpace)")
            }
            if !transition.reward.isFinite { note("reward", "step \(t) reward \(transition.reward) is not finite") }
            observation = transition.observation
            observations.append(observation + [Float(transition.reward), transition.terminated ? 1 : 0, transition.truncated ? 1 : 0])
            if transition.isLast {
                observation = environment.resetFlat(seed: nil).observation
                observations.append(observation)
            }
        }
        return observations
    }

    /// Goal tasks (Gymnasium-Robotics' convention): the flat layout, `info["is_success"]` on every
    /// step, the step's reward equal to `compute_reward` of what it returned, and `compute_reward`
    /// over many rows at once equal to it row by row.
    func checkGoalConvention(_ environment: inout any DynamicEnvironment, _ goal: GoalModel) {
        let width = environment.observationSpace.flatCount
        guard width == goal.observationCount + 2 * goal.goalCount else {
            return note("goal", "the flat observation has \(width) values, not observation \(goal.observationCount) + 2 × goal \(goal.goalCount)")
        }
        var actions = RandomGenerator(seed: seed &+ 2)
        var achieved: [Float] = [], desired: [Float] = [], rewards: [Double] = []
        _ = environment.resetFlat(seed: seed)
        for t in 0..<steps {
            guard let transition = try? environment.stepFlat(environment.actionSpace.sample(using: &actions)) else { return }
            let row = transition.observation
            if let success = transition.info["is_success"]?.number {
                if success != 0 && success != 1 { note("goal", "step \(t) info[\"is_success\"] = \(success), not 0 or 1") }
            } else {
                note("goal", "step \(t) info has no \"is_success\"")
            }
            let a = Array(row[goal.achievedRange]), d = Array(row[goal.desiredRange])
            let recomputed = goal.computeReward(a, d)
            if recomputed.count != 1 || recomputed[0] != transition.reward {
                note("goal", "step \(t) reward \(transition.reward) differs from compute_reward \(recomputed)")
            }
            achieved += a; desired += d; rewards.append(transition.reward)
            if transition.isLast { _ = environment.resetFlat(seed: nil) }
        }
        if goal.computeReward(achieved, desired) != rewards {
            note("goal", "compute_reward over \(rewards.count) rows at once differs from the rewards row by row")
        }
    }

    var first = try make(), second = try make()
    if let goal = first.goalModel { checkGoalConvention(&first, goal) }
    let a = trace(&first), b = trace(&second)
    if a != b { note("seed", "two environments with seed \(seed) and the same actions diverged") }
    // Re-seeding an environment that has already run must restart its episode stream.
    let again = trace(&first)
    if again != a { note("reseed", "reset(seed: \(seed)) on a used environment did not reproduce the first run") }
    return problems
}
