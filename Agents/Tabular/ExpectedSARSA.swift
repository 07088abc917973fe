import RL
import Tensor

/// Expected SARSA (van Seijen et al., 2009; Sutton & Barto §6.6): the target averages Q(S′, ·)
/// under the ε-greedy policy instead of sampling A′.
///
///     Q(S, A) ← Q(S, A) + α [R + γ Σ_a π(a|S′) Q(S′, a) − Q(S, A)]
public enum ExpectedSARSA {
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
                let expected = epsilonGreedyExpectation(run.q[t.observation], epsilon: h.epsilon)
                let target = t.reward + (t.terminated ? 0 : h.gamma * expected)
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
