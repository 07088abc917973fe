import Agents
import Environments
import Foundation
import RL
import Testing

/// Values rounded to the book's one decimal.
func rounded(_ values: [Double]) -> [Double] { values.map { ($0 * 10).rounded() / 10 } }

@Suite("Dynamic programming reproduces Sutton & Barto")
struct DynamicProgrammingTests {
    @Test func figure3_2RandomPolicyValues() {
        let grid = GridWorld.suttonBarto5x5()
        let v = evaluatePolicy(grid, policy: uniformPolicy(states: 25, actions: 4), gamma: 0.9).values
        // Figure 3.2 (right), to the book's printed precision.
        #expect(rounded(v) == [3.3, 8.8, 4.4, 5.3, 1.5, 1.5, 3.0, 2.3, 1.9, 0.5, 0.1, 0.7, 0.7, 0.4, -0.4,
                               -1.0, -0.4, -0.4, -0.6, -1.2, -1.9, -1.3, -1.2, -1.4, -2.0])
    }

    @Test func figure3_5OptimalValues() {
        let grid = GridWorld.suttonBarto5x5()
        let vi = valueIteration(grid, gamma: 0.9)
        #expect(rounded(Array(vi.values[0..<5])) == [22.0, 24.4, 22.0, 19.4, 17.5])
        #expect(rounded(Array(vi.values[20..<25])) == [14.4, 16.0, 14.4, 13.0, 11.7])
        #expect(Swift.abs(vi.values[1] - 10 / (1 - pow(0.9, 5))) < 1e-6)  // v*(A) = 10 / (1 − γ⁵)
        let pi = policyIteration(grid, gamma: 0.9)
        #expect(zip(pi.values, vi.values).allSatisfy { Swift.abs($0 - $1) < 1e-6 })
    }

    @Test func figure4_1RandomPolicyOnTheSmallGridworld() {
        let grid = GridWorld.suttonBarto4x4()
        let random = uniformPolicy(states: 16, actions: 4)
        let converged = evaluatePolicy(grid, policy: random, gamma: 1).values
        #expect(converged.map { $0.rounded() } == [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0])
        // Synchronous iterate k = 2: −1.75 next to a terminal corner, −2 elsewhere.
        let k2 = evaluatePolicy(grid, policy: random, gamma: 1, inPlace: false, maxSweeps: 2).values
        #expect(k2[1] == -1.75 && k2[4] == -1.75 && k2[14] == -1.75 && k2[5] == -2 && k2[6] == -2)
    }

    @Test func example4_3GamblersProblem() {
        // Published: value iteration converges in about 17 sweeps; v*(25) = 0.16, v*(50) = 0.4, v*(75) = 0.64.
        let result = valueIteration(Gambler(), gamma: 1, theta: 1e-9)
        #expect(Swift.abs(result.values[25] - 0.16) < 0.005 && Swift.abs(result.values[50] - 0.4) < 1e-6
                && Swift.abs(result.values[75] - 0.64) < 0.005, "\(result.values[25]) \(result.values[50]) \(result.values[75])")
        #expect(result.sweeps > 5 && result.sweeps < 40, "\(result.sweeps) sweeps")
        #expect(result.values[0] == 0 && result.values[100] == 0)  // terminal states
    }

    @Test func frozenLakeOptimalPolicyReachesTheGoal() throws {
        // Deterministic 4×4 lake: every non-hole state can reach G, so v* = γ^(distance − 1).
        let lake = FrozenLake(isSlippery: false)
        let vi = valueIteration(lake, gamma: 0.9)
        #expect(Swift.abs(vi.values[0] - pow(0.9, 5)) < 1e-9)  // six moves from S to G
        var environment = lake
        var state = environment.reset(seed: 0).observation
        var reward = 0.0
        for _ in 0..<6 { let t = environment.step(vi.policy[state]); state = t.observation; reward += t.reward }
        #expect(reward == 1)
    }
}
