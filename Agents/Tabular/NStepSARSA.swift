import Foundation
import RL
import Tensor

/// n-step SARSA (Sutton & Barto §7.2), the book's boxed algorithm: the update of time τ = t − n + 1
/// uses G = Σ_{i=τ+1}^{min(τ+n, T)} γ^{i−τ−1} R_i + γ^n Q(S_{τ+n}, A_{τ+n}) (the last term only if τ + n < T).
public enum NStepSARSA {
    public static func train<E: Environment>(_ environment: inout E, episodes: Int, seed: UInt64,
                                             hyperparameters h: TabularHyperparameters = .init()) -> TabularRun
    where E.Observation == Int, E.Action == Int {
        precondition(h.n >= 1, "n must be at least 1")
        let (states, actions) = environment.tabularSizes
        var run = TabularRun(states: states, actions: actions, initialValue: h.initialValue)
        var generator = RandomGenerator(seed: seed)
        let n = h.n
        // Buffers indexed by time mod (n + 1), as in the book.
        var stateAt = [Int](repeating: 0, count: n + 1), actionAt = stateAt
        var rewardAt = [Double](repeating: 0, count: n + 1)
        for episode in 0..<episodes {
            stateAt[0] = environment.reset(seed: episode == 0 ? seed : nil).observation
            actionAt[0] = epsilonGreedy(run.q[stateAt[0]], epsilon: h.epsilon, using: &generator)
            var end = Int.max  // T
            var bootstrapAtEnd = false  // truncated: the tail bootstraps from the last state
            var t = 0
            var total = 0.0
            while true {
                if t < end {
                    let step = environment.step(actionAt[t % (n + 1)])
                    stateAt[(t + 1) % (n + 1)] = step.observation
                    rewardAt[(t + 1) % (n + 1)] = step.reward
                    total += step.reward
                    if step.isLast {
                        end = t + 1
                        bootstrapAtEnd = !step.terminated
                    }
                    actionAt[(t + 1) % (n + 1)] = epsilonGreedy(run.q[step.observation], epsilon: h.epsilon, using: &generator)
                }
                let tau = t - n + 1
                if tau >= 0 {
                    var g = 0.0
                    for i in (tau + 1)...Swift.min(tau + n, end) {
                        g += pow(h.gamma, Double(i - tau - 1)) * rewardAt[i % (n + 1)]
                    }
                    let last = tau + n
                    if last < end {
                        g += pow(h.gamma, Double(n)) * run.q[stateAt[last % (n + 1)]][actionAt[last % (n + 1)]]
                    } else if bootstrapAtEnd {
                        // A time limit cut the episode: the tail bootstraps from the last state reached.
                        g += pow(h.gamma, Double(end - tau)) * run.q[stateAt[end % (n + 1)]][actionAt[end % (n + 1)]]
                    }
                    let (s, a) = (stateAt[tau % (n + 1)], actionAt[tau % (n + 1)])
                    run.q[s][a] += h.alpha * (g - run.q[s][a])
                }
                if tau == end - 1 { break }
                t += 1
            }
            run.episodeReturns.append(total)
            run.episodeLengths.append(end)
        }
        return run
    }
}
