import RL
import Tensor

/// SARSA (Rummery & Niranjan, 1994; Sutton & Barto §6.4): on-policy TD control.
///
///     Q(S, A) ← Q(S, A) + α [R + γ Q(S′, A′) − Q(S, A)],   A′ ε-greedy in S′
public enum SARSA {
    public static func train<E: Environment>(_ environment: inout E, episodes: Int, seed: UInt64,
                                             hyperparameters h: TabularHyperparameters = .init(),
                                             maxTotalSteps: Int = .max) -> TabularRun
    where E.Observation == Int, E.Action == Int {
        let (states, actions) = environment.tabularSizes
        var run = TabularRun(states: states, actions: actions, initialValue: h.initialValue)
        var generator = RandomGenerator(seed: seed)
        var steps = 0
        for episode in 0..<episodes where steps < maxTotalSteps {
            var s = environment.reset(seed: episode == 0 ? seed : nil).observation
            var a = epsilonGreedy(run.q[s], epsilon: h.epsilon, using: &generator)
            var total = 0.0, length = 0
            while true {
                let t = environment.step(a)
                let next = epsilonGreedy(run.q[t.observation], epsilon: h.epsilon, using: &generator)
                let target = t.reward + (t.terminated ? 0 : h.gamma * run.q[t.observation][next])
                run.q[s][a] += h.alpha * (target - run.q[s][a])
                total += t.reward
                length += 1
                steps += 1
                (s, a) = (t.observation, next)
                if t.isLast || steps >= maxTotalSteps { break }
            }
            run.episodeReturns.append(total)
            run.episodeLengths.append(length)
        }
        return run
    }
}
