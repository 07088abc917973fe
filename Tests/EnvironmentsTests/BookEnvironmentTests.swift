import Environments
import Foundation
import RL
import Random
import Testing

/// Fewest steps from the start state to a terminal state in a deterministic table (breadth-first).
func shortestEpisode(_ model: any TabularMDP, from start: Int) -> Int? {
    var distance = [start: 0]
    var frontier = [start]
    while !frontier.isEmpty {
        var next: [Int] = []
        for s in frontier {
            for a in 0..<model.actionCount {
                for outcome in model.outcomes(state: s, action: a) where outcome.probability > 0 {
                    if outcome.terminal { return distance[s]! + 1 }
                    if distance[outcome.nextState] == nil {
                        distance[outcome.nextState] = distance[s]! + 1
                        next.append(outcome.nextState)
                    }
                }
            }
        }
        frontier = next
    }
    return nil
}

@Suite("Sutton & Barto's environments, bandits and goal tasks")
struct BookEnvironmentTests {
    @Test func everyTableIsAProbabilityDistribution() throws {
        for id in environments.ids {
            guard let model = try environments.make(id).tabularModel else { continue }
            for s in 0..<model.stateCount {
                for a in 0..<model.actionCount {
                    let total = model.outcomes(state: s, action: a).reduce(0) { $0 + $1.probability }
                    #expect(Swift.abs(total - 1) < 1e-12, "\(id) P[\(s)][\(a)] sums to \(total)")
                }
            }
        }
    }

    @Test func example3_5TeleportsAndPenalties() {
        let grid = GridWorld.suttonBarto5x5()
        for a in 0..<4 {
            #expect(grid.outcomes(state: 1, action: a) == [Outcome(probability: 1, nextState: 21, reward: 10, terminal: false)])
            #expect(grid.outcomes(state: 3, action: a) == [Outcome(probability: 1, nextState: 13, reward: 5, terminal: false)])
        }
        #expect(grid.outcomes(state: 0, action: 0) == [Outcome(probability: 1, nextState: 0, reward: -1, terminal: false)])  // off the top
        #expect(grid.outcomes(state: 12, action: 2) == [Outcome(probability: 1, nextState: 13, reward: 0, terminal: false)])
    }

    @Test func example4_1CornersAreTerminal() {
        let grid = GridWorld.suttonBarto4x4()
        #expect(grid.outcomes(state: 1, action: 3) == [Outcome(probability: 1, nextState: 0, reward: -1, terminal: true)])
        #expect(grid.outcomes(state: 0, action: 1) == [Outcome(probability: 1, nextState: 0, reward: 0, terminal: true)])
        #expect(grid.outcomes(state: 5, action: 0) == [Outcome(probability: 1, nextState: 1, reward: -1, terminal: false)])
    }

    @Test func shortestPathsMatchTheBook() {
        // Example 6.5: "the minimum of 15" steps; Exercise 6.9 with king's moves: 7.
        #expect(shortestEpisode(GridWorld.windy(), from: 30) == 15)
        #expect(shortestEpisode(GridWorld.windy(kingMoves: true), from: 30) == 7)
        // Figure 8.2: the optimal path through the maze takes 14 steps.
        #expect(shortestEpisode(GridWorld.dynaMaze(), from: 18) == 14)
    }

    @Test func fourRoomsHasThePapersLayout() {
        let rooms = GridWorld.fourRooms()
        #expect(rooms.rows * rooms.columns - rooms.walls.count == 104)  // Sutton, Precup & Singh: 104 cells
        let outcomes = rooms.outcomes(state: 14, action: 2)  // (1, 1) moving right
        #expect(outcomes.count == 4 && outcomes.contains { $0.nextState == 15 && Swift.abs($0.probability - 2.0 / 3.0) < 1e-12 })
    }

    @Test func gaussianTestbedDrawsAndPays() {
        var bandit = GaussianBandit(arms: 10)
        _ = bandit.reset(seed: 3)
        let values = bandit.trueValues
        #expect(Set(values).count == 10)
        var total = 0.0
        for _ in 0..<20_000 { total += bandit.step(bandit.optimalAction).reward }
        #expect(Swift.abs(total / 20_000 - values.max()!) < 0.03)
        #expect(bandit.trueValues == values)  // stationary

        var walking = GaussianBandit(arms: 10, stationary: false)
        _ = walking.reset(seed: 3)
        #expect(walking.trueValues == Array(repeating: 0, count: 10))  // Exercise 2.5: they start equal
        for _ in 0..<10_000 { _ = walking.step(0) }
        let spread = walking.trueValues.map { $0 * $0 }.reduce(0, +) / 10
        #expect(spread > 0.25 && spread < 4)  // ≈ 10 000 · 0.01² = 1 after 10 000 steps
    }

    @Test func bernoulliAndContextualBandits() {
        var coins = BernoulliBandit(arms: 3, probabilities: [0.2, 0.9, 0.5])
        _ = coins.reset(seed: 1)
        let wins = (0..<10_000).map { _ in coins.step(1).reward }.reduce(0, +)
        #expect(Swift.abs(wins / 10_000 - 0.9) < 0.015 && coins.optimalAction == 1)

        var contextual = ContextualLinearBandit(arms: 4, dimension: 3, noise: 0)
        let context = contextual.reset(seed: 2).observation
        #expect(context.count == 3)
        let expected = contextual.expectedRewards
        let best = contextual.optimalAction
        #expect(contextual.step(best).reward == expected.max()!)  // noiseless: pays θᵀx exactly
    }

    @Test func bitFlipFollowsTheHERPaper() {
        var task = BitFlip(bits: 5)
        let start = task.reset(seed: 4).observation
        #expect(start.achievedGoal == start.observation)
        var observation = start
        var last: Transition<GoalObservation>?
        for i in 0..<5 where observation.observation[i] != observation.desiredGoal[i] {
            last = task.step(i)
            observation = last!.observation
        }
        if let last { #expect(last.reward == 0 && last.terminated) }
        if let last { #expect(last.info["is_success"] == 1) }
        // compute_reward is vectorised: rows of goals in, one reward per row out.
        let pair = BitFlip(bits: 2)
        #expect(pair.computeReward(achievedGoals: [1, 0, 1, 0, 0, 0], desiredGoals: [1, 0, 1, 1, 0, 0]) == [0, -1, 0])
    }

    @Test func goalGridworldDrawsGoalsAtReset() {
        var world = GoalGridworld(size: 4)
        var goals = Set<[Float]>()
        for seed in 0..<40 { goals.insert(world.reset(seed: UInt64(seed)).observation.desiredGoal) }
        #expect(goals.count > 8 && !goals.contains([0, 0]))
        let observation = world.reset(seed: 1).observation
        // Walking down then right reaches any goal; the reward is 0 exactly on arrival.
        var t = Transition(observation: observation, reward: -1, terminated: false, truncated: false)
        for _ in 0..<Int(observation.desiredGoal[0]) { t = world.step(1) }
        for _ in 0..<Int(observation.desiredGoal[1]) { t = world.step(2) }
        #expect(t.reward == 0 && t.terminated)
    }
}
