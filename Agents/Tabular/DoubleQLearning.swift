import RL
import Tensor

/// Double Q-learning (van Hasselt, 2010; Sutton & Barto §6.7): two tables, each evaluated at the
/// other's greedy action, which removes maximisation bias. Behaviour is ε-greedy in Q₁ + Q₂.
///
///     with probability ½:  Q₁(S, A) ← Q₁(S, A) + α [R + γ Q₂(S′, argmax_a Q₁(S′, a)) − Q₁(S, A)]
///     else the same with Q₁ and Q₂ exchanged
public enum DoubleQLearning {
    /// The run's `q` is Q₁ + Q₂ (what the behaviour and the greedy policy use).
    public static func train<E: Environment>(_ environment: inout E, episodes: Int, seed: UInt64,
                                             hyperparameters h: TabularHyperparameters = .init()) -> TabularRun
    where E.Observation == Int, E.Action == Int {
        let (states, actions) = environment.tabularSizes
        var q1 = TabularRun(states: states, actions: actions, initialValue: h.initialValue).q
        var q2 = q1
        var run = TabularRun(states: states, actions: actions, initialValue: 2 * h.initialValue)
        var generator = RandomGenerator(seed: seed)
        for episode in 0..<episodes {
            var s = environment.reset(seed: episode == 0 ? seed : nil).observation
            var total = 0.0, length = 0
            while true {
                let a = epsilonGreedy(zip(q1[s], q2[s]).map(+), epsilon: h.epsilon, using: &generator)
                let t = environment.step(a)
                let next = t.observation
                if generator.nextUniformDouble() < 0.5 {
                    let best = epsilonGreedy(q1[next], epsilon: 0, using: &generator)
                    q1[s][a] += h.alpha * (t.reward + (t.terminated ? 0 : h.gamma * q2[next][best]) - q1[s][a])
                } else {
                    let best = epsilonGreedy(q2[next], epsilon: 0, using: &generator)
                    q2[s][a] += h.alpha * (t.reward + (t.terminated ? 0 : h.gamma * q1[next][best]) - q2[s][a])
                }
                total += t.reward
                length += 1
                s = next
                if t.isLast { break }
            }
            run.episodeReturns.append(total)
            run.episodeLengths.append(length)
        }
        run.q = zip(q1, q2).map { zip($0, $1).map(+) }
        return run
    }
}
