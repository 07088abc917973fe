import Agents
import Environments
import Foundation
import RL
import Testing

/// Mean return over episodes `range` (1-based, inclusive), averaged over `runs` seeds.
func meanReturn(runs: Int, range: ClosedRange<Int>, _ train: (UInt64) -> TabularRun) -> Double {
    let total = (0..<runs).reduce(0.0) { sum, run in
        let returns = train(UInt64(run)).episodeReturns
        return sum + returns[(range.lowerBound - 1)...(range.upperBound - 1)].reduce(0, +) / Double(range.count)
    }
    return total / Double(runs)
}

@Suite("Temporal-difference control reproduces Sutton & Barto")
struct TemporalDifferenceTests {
    @Test func example6_6CliffWalkingSARSAAboveQLearning() {
        // ε = 0.1, α = 0.5, 500 episodes; the book (Figure 6.4): SARSA ≈ −25, Q-learning ≈ −50 online.
        let h = TabularHyperparameters(alpha: 0.5, epsilon: 0.1, gamma: 1)
        let sarsa = meanReturn(runs: 50, range: 401...500) { seed in
            var cliff = CliffWalking()
            return SARSA.train(&cliff, episodes: 500, seed: seed, hyperparameters: h)
        }
        let qLearning = meanReturn(runs: 50, range: 401...500) { seed in
            var cliff = CliffWalking()
            return QLearning.train(&cliff, episodes: 500, seed: seed, hyperparameters: h)
        }
        #expect(sarsa > -30 && sarsa < -20, "SARSA \(sarsa)")
        #expect(qLearning > -57 && qLearning < -42, "Q-learning \(qLearning)")
        // Q-learning's greedy policy is the optimal 13-step path along the cliff.
        var cliff = CliffWalking()
        let run = QLearning.train(&cliff, episodes: 500, seed: 1, hyperparameters: h)
        var state = cliff.reset(seed: 0).observation, steps = 0, total = 0.0
        while steps < 100 {
            let t = cliff.step(run.policy[state])
            (state, steps, total) = (t.observation, steps + 1, total + t.reward)
            if t.isLast { break }
        }
        #expect(total == -13, "greedy return \(total); the optimal path along the cliff is −13")
    }

    @Test func example6_5WindyGridworldSARSA() {
        // Figure 6.3 (one run): about 170 episodes are completed in the first 8000 time steps. Single
        // runs vary widely (≈ 125–170 here), so the mean of ten runs is checked.
        let h = TabularHyperparameters(alpha: 0.5, epsilon: 0.1, gamma: 1)
        let counts = (0..<10).map { seed -> Int in
            var windy = GridWorld.windy()
            let run = SARSA.train(&windy, episodes: 10_000, seed: UInt64(seed), hyperparameters: h, maxTotalSteps: 8000)
            return run.episodeLengths.count - 1  // the last episode was cut at 8000 steps
        }
        let mean = Double(counts.reduce(0, +)) / 10
        #expect(mean > 140 && mean < 185, "\(counts)")
    }

    @Test func oneStepSpecialCasesAgree() {
        // n-step SARSA with n = 1 is SARSA; Expected SARSA with ε = 0 is Q-learning (same random streams).
        let h = TabularHyperparameters(alpha: 0.3, epsilon: 0.1, gamma: 0.95, n: 1)
        var a = CliffWalking(), b = CliffWalking()
        #expect(NStepSARSA.train(&a, episodes: 30, seed: 4, hyperparameters: h).q == SARSA.train(&b, episodes: 30, seed: 4, hyperparameters: h).q)
        let greedy = TabularHyperparameters(alpha: 0.3, epsilon: 0, gamma: 0.95)
        var c = CliffWalking(), d = CliffWalking()
        #expect(ExpectedSARSA.train(&c, episodes: 30, seed: 5, hyperparameters: greedy).q
                == QLearning.train(&d, episodes: 30, seed: 5, hyperparameters: greedy).q)
    }

    @Test func controlMethodsSolveTheDeterministicLake() {
        let h = TabularHyperparameters(alpha: 0.5, epsilon: 0.1, gamma: 0.95, n: 3)
        let methods: [(String, (inout TimeLimit<FrozenLake>) -> TabularRun)] = [
            ("Q-learning", { QLearning.train(&$0, episodes: 2000, seed: 1, hyperparameters: h) }),
            ("SARSA", { SARSA.train(&$0, episodes: 2000, seed: 1, hyperparameters: h) }),
            ("Expected SARSA", { ExpectedSARSA.train(&$0, episodes: 2000, seed: 1, hyperparameters: h) }),
            ("Double Q-learning", { DoubleQLearning.train(&$0, episodes: 2000, seed: 1, hyperparameters: h) }),
            ("3-step SARSA", { NStepSARSA.train(&$0, episodes: 2000, seed: 1, hyperparameters: h) }),
        ]
        for (name, train) in methods {
            var lake = TimeLimit(FrozenLake(isSlippery: false), maxEpisodeSteps: 100)
            let run = train(&lake)
            var state = lake.reset(seed: 9).observation, reward = 0.0
            for _ in 0..<20 {
                let t = lake.step(run.policy[state])
                (state, reward) = (t.observation, reward + t.reward)
                if t.isLast { break }
            }
            #expect(reward == 1, "\(name)'s greedy policy does not reach the goal")
        }
    }
}
