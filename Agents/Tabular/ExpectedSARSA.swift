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
        TabularRun.oneStepControl(&environment, episodes: episodes, seed: seed, hyperparameters: h) { run, s, a, t, _ in
            let expected = epsilonGreedyExpectation(run.q[t.observation], epsilon: h.epsilon)
            let target = t.reward + (t.terminated ? 0 : h.gamma * expected)
            run.q[s][a] += h.alpha * (target - run.q[s][a])
        }
    }
}
