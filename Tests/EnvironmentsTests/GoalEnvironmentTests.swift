import Drawing
import Environments
import Foundation
import RL
import Random
import Testing

/// Gymnasium-Robotics' goal convention and the point mass.
@Suite("Goal tasks")
struct GoalEnvironmentTests {
    @Test func pointMassMovesAsDocumentedAndWallsStopIt() {
        var task = PointMass()
        let start = task.reset(seed: 3).observation
        #expect(start.observation[2...] == [0, 0] && start.achievedGoal == Array(start.observation[..<2]))
        // v ← clip(v + 0.1·5·a, ±2), p ← p + 0.1·v: a force of 3 is clipped to 1.
        let t = task.step([3, -0.5])
        #expect(t.observation.observation[2] == 0.5 && t.observation.observation[3] == -0.25)
        #expect(abs(t.observation.observation[0] - Swift.min(start.observation[0] + 0.05, 1)) < 1e-6)
        #expect(!t.terminated && !t.truncated)
        // Pushing right for long enough reaches the wall at x = 1, where the x velocity is zero.
        var last = t
        for _ in 0..<60 { last = task.step([1, 0]) }
        #expect(last.observation.observation[0] == 1 && last.observation.observation[2] == 0)
    }

    @Test func sparseAndDenseRewardsAndSuccessAgree() {
        let sparse = PointMass(reward: .sparse, radius: 0.1), dense = PointMass(reward: .dense, radius: 0.1)
        // Rows: inside the disc, on its edge, outside it.
        let achieved: [Float] = [0, 0, 0.3, 0.4, 1, 1], desired: [Float] = [0.05, 0, 0.3, 0.5, -1, 1]
        #expect(sparse.computeReward(achievedGoals: achieved, desiredGoals: desired) == [0, 0, -1])
        let distances = dense.computeReward(achievedGoals: achieved, desiredGoals: desired)
        #expect(abs(distances[0] + 0.05) < 1e-6 && abs(distances[1] + 0.1) < 1e-6 && abs(distances[2] + 2) < 1e-6)
        #expect(sparse.isSuccess(achievedGoal: [0, 0], desiredGoal: [0.05, 0]))
        #expect(!sparse.isSuccess(achievedGoal: [1, 1], desiredGoal: [-1, 1]))
        // The step's reward and info are compute_reward and is_success of what it returned.
        var task = PointMass(reward: .dense)
        _ = task.reset(seed: 1)
        let t = task.step([0.2, 0.7])
        #expect(t.reward == task.computeReward(achievedGoal: t.observation.achievedGoal, desiredGoal: t.observation.desiredGoal))
        #expect(t.info["is_success"] == (t.reward >= -0.1 ? 1 : 0))
    }

    @Test func pointMassResumesFromItsSnapshotAndRefusesAHostileOne() throws {
        var task = PointMass()
        _ = task.reset(seed: 8)
        _ = task.step([0.5, 0.5])
        var copy = try JSONDecoder().decode(PointMass.self, from: JSONEncoder().encode(task))
        #expect(copy.step([-1, 0.2]).observation == task.step([-1, 0.2]).observation)
        #expect(copy.reset(seed: nil).observation == task.reset(seed: nil).observation)
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(task)) as? [String: Any])
        json["position"] = [5, 0]
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PointMass.self, from: JSONSerialization.data(withJSONObject: json)) }
    }

    @Test func theRegistryOffersSparseAndDensePointMasses() throws {
        var sparse = try environments.make("PointMass-v0"), dense = try environments.make("PointMassDense-v0", options: ["radius": "0.2"])
        _ = sparse.resetFlat(seed: 2)
        _ = dense.resetFlat(seed: 2)
        let a = try sparse.stepFlat([0, 0]), b = try dense.stepFlat([0, 0])
        #expect(a.observation == b.observation && (a.reward == 0 || a.reward == -1) && b.reward <= 0)
        #expect(sparse.goalModel?.goalCount == 2 && sparse.goalModel?.observationCount == 4)
        #expect(throws: (any Error).self) { try environments.make("PointMass-v0", options: ["radius": "-1"]) }
    }

    /// The checker holds goal tasks to the convention: a reward that is not compute_reward of
    /// the returned goals, and a step without `is_success`, are reported.
    @Test func checkerCatchesABrokenGoalTask() throws {
        struct Broken: GoalEnvironment, DynamicEnvironment {
            var position: Float = 0
            var observationSpace: Space { .box(low: -100, high: 100, shape: [3]) }
            var actionSpace: Space { .discrete(2) }
            var goalCount: Int { 1 }
            func computeReward(achievedGoals: [Float], desiredGoals: [Float]) -> [Double] {
                zip(achievedGoals, desiredGoals).map { $0 == $1 ? 0 : -1 }
            }
            func isSuccess(achievedGoal: [Float], desiredGoal: [Float]) -> Bool { achievedGoal == desiredGoal }
            var observation: GoalObservation { GoalObservation(observation: [position], achievedGoal: [position], desiredGoal: [3]) }
            mutating func reset(seed: UInt64?) -> (observation: GoalObservation, info: Info) { position = 0; return (observation, [:]) }
            mutating func step(_ action: Int) -> Transition<GoalObservation> {
                position += action == 0 ? -1 : 1
                return Transition(observation: observation, reward: 1, terminated: false, truncated: position > 50)
            }
            func renderText() -> String { "" }
            var scene: any Scene { BlankScene() }
        }
        let problems = checkEnvironment(steps: 20) { Broken() }
        #expect(problems.contains { $0.contains("is_success") })
        #expect(problems.contains { $0.contains("differs from compute_reward") })
        #expect(try checkEnvironment { try environments.make("PointMass-v0") }.isEmpty)
    }
}
