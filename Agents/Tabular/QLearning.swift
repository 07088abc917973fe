import RL
import Tensor

/// Q-learning (Watkins, 1989; Sutton & Barto §6.5): off-policy TD control.
///
///     Q(S, A) ← Q(S, A) + α [R + γ max_a Q(S′, a) − Q(S, A)]
///
/// The target does not bootstrap past a terminal state; it does past a truncation.
public enum QLearning {
    public static func train<E: Environment>(_ environment: inout E, episodes: Int, seed: UInt64,
                                             hyperparameters h: TabularHyperparameters = .init()) -> TabularRun
    where E.Observation == Int, E.Action == Int {
        let (states, actions) = environment.tabularSizes
        var run = TabularRun(states: states, actions: actions, initialValue: h.initialValue)
        var generator = RandomGenerator(seed: seed)
        for episode in 0..<episodes {
            var s = environment.reset(seed: episode == 0 ? seed : nil)
            var total = 0.0, length = 0
            while true {
                let a = epsilonGreedy(run.q[s], epsilon: h.epsilon, using: &generator)
                let t = environment.step(a)
                let target = t.reward + (t.terminated ? 0 : h.gamma * run.q[t.observation].max()!)
                run.q[s][a] += h.alpha * (target - run.q[s][a])
                total += t.reward
                length += 1
                s = t.observation
                if t.isLast { break }
            }
            run.episodeReturns.append(total)
            run.episodeLengths.append(length)
        }
        return run
    }
}
