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

    var first = try make(), second = try make()
    let a = trace(&first), b = trace(&second)
    if a != b { note("seed", "two environments with seed \(seed) and the same actions diverged") }
    // Re-seeding an environment that has already run must restart its episode stream.
    let again = trace(&first)
    if again != a { note("reseed", "reset(seed: \(seed)) on a used environment did not reproduce the first run") }
    return problems
}
