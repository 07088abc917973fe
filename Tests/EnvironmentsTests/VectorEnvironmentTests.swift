import Environments
import RL
import Random
import Testing

@Suite("Vector environments")
struct VectorEnvironmentTests {
    func run(threads: Int, steps: Int) -> (observations: [[Float]], rewards: [[Float]], finished: Int) {
        var vector = VectorEnvironment(copies: 16, threads: threads) { _ in TimeLimit(CartPole(), maxEpisodeSteps: 30) }
        vector.reset(seed: 100)
        var generator = RandomGenerator(seed: 1)
        var observations: [[Float]] = [], rewards: [[Float]] = []
        var finished = 0
        for _ in 0..<steps {
            vector.step((0..<16).map { _ in generator.nextInt(below: 2) })
            observations.append(vector.observations)
            rewards.append(vector.rewards)
            finished += vector.finishedEpisodes.count
        }
        return (observations, rewards, finished)
    }

    @Test func resultsDoNotDependOnTheThreadCount() {
        let one = run(threads: 1, steps: 100), three = run(threads: 3, steps: 100)
        #expect(one.observations == three.observations && one.rewards == three.rewards)
        #expect(one.finished > 16)  // episodes ended and auto-reset along the way
    }

    @Test func eachCopyIsTheSingleEnvironmentSeededWithSeedPlusIndex() {
        var vector = VectorEnvironment(copies: 4) { _ in TimeLimit(CartPole(), maxEpisodeSteps: 12) }
        vector.reset(seed: 7)
        var singles = (0..<4).map { _ in TimeLimit(CartPole(), maxEpisodeSteps: 12) }
        for i in 0..<4 { #expect(Array(vector.observation(i)) == singles[i].reset(seed: 7 + UInt64(i)).observation.flatValues) }
        var generator = RandomGenerator(seed: 3)
        for _ in 0..<40 {
            let actions = (0..<4).map { _ in generator.nextInt(below: 2) }
            vector.step(actions)
            for i in 0..<4 {
                let t = singles[i].step(actions[i])
                #expect(vector.terminated[i] == t.terminated && vector.truncated[i] == t.truncated)
                if t.isLast {
                    // The episode's last observation is kept; the row already starts the next episode.
                    #expect(Array(vector.finalObservations[(i * 4)..<(i * 4 + 4)]) == t.observation.flatValues)
                    #expect(Array(vector.observation(i)) == singles[i].reset(seed: nil).observation.flatValues)
                } else {
                    #expect(Array(vector.observation(i)) == t.observation.flatValues)
                }
            }
        }
    }

    @Test func finishedEpisodesCarryTheirReturns() {
        var vector = VectorEnvironment(copies: 2) { _ in TimeLimit(MountainCar(), maxEpisodeSteps: 5) }
        vector.reset(seed: 0)
        for _ in 0..<4 { vector.step([1, 1]); #expect(vector.finishedEpisodes.isEmpty) }
        vector.step([1, 1])
        #expect(vector.finishedEpisodes.map(\.record) == Array(repeating: EpisodeRecord(totalReward: -5, length: 5), count: 2))
        #expect(vector.truncated == [true, true])
    }
}
