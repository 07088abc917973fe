import RL
import Tensor

/// Policy evaluation from experience (Sutton & Barto §6.1–6.2), for environments with one action
/// (or a fixed behaviour given as `policy`). Values start at `initialValue` for every state;
/// terminal states never update and count as 0. `onEpisode` sees V after each episode.
public enum Prediction {
    public enum Method: Sendable, Equatable {
        /// TD(0): V(S) ← V(S) + α [R + γ V(S′) − V(S)] after every step.
        case temporalDifference
        /// Every-visit constant-α Monte Carlo (6.1): V(S) ← V(S) + α [G − V(S)] after the episode.
        case monteCarlo
    }

    public static func evaluate<E: Environment>(_ environment: inout E, method: Method, episodes: Int, seed: UInt64,
                                                alpha: Double, gamma: Double = 1, initialValue: Double = 0,
                                                policy: (Int, inout RandomGenerator) -> Int = { _, _ in 0 },
                                                onEpisode: ([Double]) -> Void = { _ in }) -> [Double]
    where E.Observation == Int, E.Action == Int {
        let (states, _) = environment.tabularSizes
        var values = Array(repeating: initialValue, count: states)
        var terminal = Set<Int>()
        var generator = RandomGenerator(seed: seed)
        for episode in 0..<episodes {
            var s = environment.reset(seed: episode == 0 ? seed : nil).observation
            var visited: [(state: Int, reward: Double)] = []
            while true {
                let t = environment.step(policy(s, &generator))
                if t.terminated { terminal.insert(t.observation) }
                let next = t.terminated ? 0 : values[t.observation]
                switch method {
                case .temporalDifference: values[s] += alpha * (t.reward + gamma * next - values[s])
                case .monteCarlo: visited.append((s, t.reward))
                }
                s = t.observation
                if t.isLast { break }
            }
            if method == .monteCarlo {
                var g = 0.0
                for (state, reward) in visited.reversed() {
                    g = reward + gamma * g
                    values[state] += alpha * (g - values[state])
                }
            }
            for s in terminal { values[s] = 0 }
            onEpisode(values)
        }
        return values
    }
}
