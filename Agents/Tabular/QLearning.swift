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
        TabularRun.oneStepControl(&environment, episodes: episodes, seed: seed, hyperparameters: h) { run, s, a, t, _ in
            let target = t.reward + (t.terminated ? 0 : h.gamma * run.q[t.observation].max()!)
            run.q[s][a] += h.alpha * (target - run.q[s][a])
        }
    }
}
