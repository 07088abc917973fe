import RL
import Tensor

/// Tabular Dyna-Q and Dyna-Q+ (Sutton, 1990; Sutton & Barto §8.2–8.3): Q-learning from real
/// experience, a deterministic model of what was seen, and `n` planning updates per real step
/// from previously observed state–action pairs chosen at random.
///
/// Dyna-Q+ adds κ√τ to planning rewards, τ being the steps since the pair was last tried in
/// the real world, and (as the book's footnote) lets planning consider untried actions of seen
/// states, modelled as staying put with reward 0.
public enum DynaQ {
    public static func train<E: Environment>(_ environment: inout E, episodes: Int, seed: UInt64,
                                             hyperparameters h: TabularHyperparameters = .init(alpha: 0.1, epsilon: 0.1, gamma: 0.95, n: 5),
                                             plus: Bool = false) -> TabularRun
    where E.Observation == Int, E.Action == Int {
        let (states, actions) = environment.tabularSizes
        // Model(s, a) = (reward, next state, terminal), for pairs seen; `observed` lists them in order.
        var model = [[(reward: Double, next: Int, terminal: Bool)?]](repeating: Array(repeating: nil, count: actions), count: states)
        var observed: [(state: Int, action: Int)] = []
        var seenStates: [Int] = [], stateSeen = [Bool](repeating: false, count: states)
        var lastTried = [[Int]](repeating: Array(repeating: 0, count: actions), count: states)
        var time = 0

        func update(_ run: inout TabularRun, _ s: Int, _ a: Int, _ reward: Double, _ next: Int, _ terminal: Bool) {
            let target = reward + (terminal ? 0 : h.gamma * run.q[next].max()!)
            run.q[s][a] += h.alpha * (target - run.q[s][a])
        }

        return TabularRun.oneStepControl(&environment, episodes: episodes, seed: seed, hyperparameters: h) { run, s, a, t, generator in
            // (d) direct reinforcement learning, (e) model learning, (f) planning.
            time += 1
            update(&run, s, a, t.reward, t.observation, t.terminated)
            if model[s][a] == nil { observed.append((s, a)) }
            if !stateSeen[s] { stateSeen[s] = true; seenStates.append(s) }
            model[s][a] = (t.reward, t.observation, t.terminated)
            lastTried[s][a] = time
            for _ in 0..<h.n {
                let (ps, pa): (Int, Int)
                if plus {
                    ps = seenStates[generator.nextInt(below: seenStates.count)]
                    pa = generator.nextInt(below: actions)
                } else {
                    (ps, pa) = observed[generator.nextInt(below: observed.count)]
                }
                let m = model[ps][pa] ?? (0, ps, false)
                let bonus = plus ? h.kappa * Double(time - lastTried[ps][pa]).squareRoot() : 0
                update(&run, ps, pa, m.reward + bonus, m.next, m.terminal)
            }
        }
    }
}
