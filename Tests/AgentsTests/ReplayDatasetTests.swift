import Agents
import Datasets
import Environments
import RL
import Testing
import Training

@Suite("The replay dataset: what an off-policy agent saw while it trained")
struct ReplayDatasetTests {
    /// A DQN run on CartPole-v1 of `steps` steps and the episodes it reported finishing.
    private func dqnRun(steps: Int, settings: [String]) throws -> (agent: DQN, finished: [Double]) {
        let config = try DQNHyperparameters().setting(["learning_starts=100", "train_freq=16", "gradient_steps=1", "net_arch=16"] + settings)
        let agent = try DQN(environment: environments.make("CartPole-v1"), config: config, seed: 3, totalSteps: steps)
        var finished: [Double] = []
        while agent.stepsDone < agent.totalSteps { finished += try agent.iterate().episodes.map(\.totalReward) }
        return (agent, finished)
    }

    /// Each episode's return (CartPole: +1 a step, so its length).
    private func returns(_ dataset: OfflineDataset) -> [Double] { DatasetSummary(dataset).returns }

    @Test func theBufferBecomesTheEpisodesTheAgentPlayed() throws {
        let (agent, finished) = try dqnRun(steps: 1200, settings: ["buffer_size=2000"])
        let dataset = try OfflineDataset(replay: agent.replayBuffer, copies: agent.replayCopies, discreteActions: 2, environmentID: "CartPole-v1")
        #expect(dataset.count == 1200)
        // Every finished episode in order, then the one the run stopped in (cut: a truncation).
        let episodes = returns(dataset)
        #expect(Array(episodes.dropLast()) == finished)
        #expect(episodes.reduce(0, +) == 1200)
        #expect(dataset.terminations.filter { $0 }.count == finished.count, "early CartPole episodes end with the pole falling")
        #expect(dataset.truncations.last == true)
    }

    @Test func aWrappedBufferStartsAtItsOldestTransition() throws {
        let (agent, finished) = try dqnRun(steps: 1200, settings: ["buffer_size=500"])
        let dataset = try OfflineDataset(replay: agent.replayBuffer, copies: 1, discreteActions: 2, environmentID: "CartPole-v1")
        #expect(dataset.count == 500)
        // Inside an episode each transition starts where the one before it ended.
        for i in 0..<(dataset.count - 1) where !dataset.terminations[i] && !dataset.truncations[i] {
            #expect(dataset.nextObservation(i) == dataset.observation(i + 1))
        }
        // The whole episodes in the window are the run's last ones.
        let inside = Array(returns(dataset).dropFirst().dropLast())
        #expect(!inside.isEmpty && Array(finished.suffix(inside.count)) == inside)
    }

    @Test func copiesAreUntangled() throws {
        let (agent, finished) = try dqnRun(steps: 1200, settings: ["buffer_size=4000", "n_envs=2"])
        let dataset = try OfflineDataset(replay: agent.replayBuffer, copies: agent.replayCopies, discreteActions: 2, environmentID: "CartPole-v1")
        #expect(agent.replayCopies == 2 && dataset.count == agent.replayBuffer.count)
        // The copies' finished episodes, and each copy's unfinished one.
        let episodes = returns(dataset)
        #expect(episodes.count == finished.count + 2)
        #expect(episodes.reduce(0, +) == Double(dataset.count))
        var unmatched = episodes
        for episode in finished {
            guard let i = unmatched.firstIndex(of: episode) else { Issue.record("episode of return \(episode) is missing"); continue }
            unmatched.remove(at: i)
        }
        #expect(unmatched.count == 2)
        #expect(dataset.terminations.filter { $0 }.count == finished.count)
    }

    @Test func anEmptyOrTangledBufferIsAnError() throws {
        let empty = ReplayBuffer(capacity: 8, observationSize: 4, actionSize: 1)
        #expect(throws: DatasetError.self) { _ = try OfflineDataset(replay: empty, copies: 1, discreteActions: 2, environmentID: nil) }
        let (agent, _) = try dqnRun(steps: 600, settings: ["buffer_size=301", "n_envs=2"])
        #expect(throws: DatasetError.self) { _ = try OfflineDataset(replay: agent.replayBuffer, copies: 2, discreteActions: 2, environmentID: nil) }
    }
}
