import RL
import Tensor

/// On-policy first-visit Monte Carlo control for ε-soft policies (Sutton & Barto §5.4): play
/// an episode with the ε-greedy policy, then for each first visit of (S, A) average the return
/// that followed into Q(S, A) (sample averages, as the book's box).
public enum MonteCarloControl {
    public static func train<E: Environment>(_ environment: inout E, episodes: Int, seed: UInt64,
                                             hyperparameters h: TabularHyperparameters = .init()) -> TabularRun
    where E.Observation == Int, E.Action == Int {
        let (states, actions) = environment.tabularSizes
        var run = TabularRun(states: states, actions: actions, initialValue: h.initialValue)
        var counts = [[Int]](repeating: Array(repeating: 0, count: actions), count: states)
        var generator = RandomGenerator(seed: seed)
        for episode in 0..<episodes {
            var s = environment.reset(seed: episode == 0 ? seed : nil).observation
            var trajectory: [(state: Int, action: Int, reward: Double)] = []
            while true {
                let a = epsilonGreedy(run.q[s], epsilon: h.epsilon, using: &generator)
                let t = environment.step(a)
                trajectory.append((s, a, t.reward))
                s = t.observation
                if t.isLast { break }
            }
            // The first time step at which each pair occurs.
            var firstVisit = [Int: Int]()
            for (time, step) in trajectory.enumerated() where firstVisit[step.state * actions + step.action] == nil {
                firstVisit[step.state * actions + step.action] = time
            }
            var g = 0.0
            for time in stride(from: trajectory.count - 1, through: 0, by: -1) {
                let (state, action, reward) = trajectory[time]
                g = h.gamma * g + reward
                guard firstVisit[state * actions + action] == time else { continue }
                counts[state][action] += 1
                run.q[state][action] += (g - run.q[state][action]) / Double(counts[state][action])
            }
            run.episodeReturns.append(trajectory.reduce(0) { $0 + $1.reward })
            run.episodeLengths.append(trajectory.count)
        }
        return run
    }
}
