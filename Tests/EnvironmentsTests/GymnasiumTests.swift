import Environments
import Foundation
import RL
import Testing

// Our environments against Gymnasium 1.4.0 (scripts/make_gymnasium_fixtures.py wrote the fixtures).

struct TrajectoryFile: Decodable {
    struct Step: Decodable { let obs: [Double]; let reward: Double; let terminated: Bool; let truncated: Bool }
    struct Trajectory: Decodable {
        let id: String; let start: [Double]; let actions: [Double]; let steps: [Step]
        /// The `gym.make` keyword arguments, as registry options (absent: none).
        let options: [String: String]?
    }
    let trajectories: [Trajectory]
}

struct TableFile: Decodable {
    /// One `env.P` entry: [probability, next state, reward, terminated].
    struct Entry: Decodable, Equatable {
        let probability: Double, next: Int, reward: Double, terminal: Bool
        init(probability: Double, next: Int, reward: Double, terminal: Bool) {
            (self.probability, self.next, self.reward, self.terminal) = (probability, next, reward, terminal)
        }
        init(from decoder: Decoder) throws {
            var c = try decoder.unkeyedContainer()
            self.init(probability: try c.decode(Double.self), next: try c.decode(Int.self),
                      reward: try c.decode(Double.self), terminal: try c.decode(Bool.self))
        }
    }
    struct Table: Decodable { let id: String; let options: [String: String]; let P: [[[Entry]]] }
    let tables: [Table]
}

func fixture<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

@Suite("Environments match Gymnasium")
struct GymnasiumTests {
    @Test func classicControlTrajectoriesMatchTo1e5() throws {
        let file = try fixture(TrajectoryFile.self, "gymnasium_trajectories")
        #expect(file.trajectories.count >= 10)
        for trajectory in file.trajectories {
            var environment = try environments.make(trajectory.id, options: trajectory.options ?? [:])
            _ = environment.resetFlat(seed: 0)
            try environment.setStateFlat(trajectory.start)
            for (t, (action, expected)) in zip(trajectory.actions, trajectory.steps).enumerated() {
                let step = try environment.stepFlat([action])
                let where_ = "\(trajectory.id) from \(trajectory.start), step \(t + 1)"
                let worst = zip(step.observation, expected.obs).map { Swift.abs(Double($0) - $1) }.max() ?? 0
                #expect(step.observation.count == expected.obs.count && worst <= 1e-5, "\(where_): obs \(step.observation) vs \(expected.obs)")
                #expect(Swift.abs(step.reward - expected.reward) <= 1e-5, "\(where_): reward \(step.reward) vs \(expected.reward)")
                #expect(step.terminated == expected.terminated && step.truncated == expected.truncated,
                        "\(where_): flags \(step.terminated)/\(step.truncated) vs \(expected.terminated)/\(expected.truncated)")
                if worst > 1e-5 { break }  // one report per trajectory is enough
            }
        }
    }

    @Test func mountainCarContinuousMatchesGymnasiumBitForBit() throws {
        // Gymnasium's float32 state arithmetic reproduced exactly: observations equal as Float,
        // rewards equal as Double, the same flags, over the goal, both walls, clipped forces
        // and the 999-step limit.
        let file = try fixture(TrajectoryFile.self, "gymnasium_trajectories")
        let trajectories = file.trajectories.filter { $0.id == "MountainCarContinuous-v0" }
        #expect(trajectories.count == 6)
        #expect(trajectories.contains { $0.steps.last!.terminated && $0.steps.last!.reward > 99 })
        #expect(trajectories.contains { $0.steps.count == 999 && $0.steps.last!.truncated && !$0.steps.last!.terminated })
        #expect(trajectories.contains { $0.actions.contains { Swift.abs($0) > 1 } })
        for trajectory in trajectories {
            var environment = try environments.make(trajectory.id, options: trajectory.options ?? [:])
            _ = environment.resetFlat(seed: 0)
            try environment.setStateFlat(trajectory.start)
            var mismatches = 0
            for (t, (action, expected)) in zip(trajectory.actions, trajectory.steps).enumerated() {
                let step = try environment.stepFlat([action])
                let where_ = "\(trajectory.options ?? [:]) from \(trajectory.start), step \(t + 1), action \(action)"
                let same = step.observation == expected.obs.map { Float($0) } && step.reward == expected.reward
                    && step.terminated == expected.terminated && step.truncated == expected.truncated
                #expect(same, "\(where_): \(step.observation) \(step.reward) \(step.terminated)/\(step.truncated) vs \(expected)")
                if !same { mismatches += 1 }
                if mismatches >= 3 { break }
            }
        }
    }

    @Test func mountainCarContinuousResetsSnapshotsAndClipsItsForce() throws {
        var car = MountainCarContinuous()
        let (first, _) = car.reset(seed: 4)
        #expect((Float(-0.6)...Float(-0.4)).contains(first.x) && first.y == 0)
        #expect(car.reset(seed: 4).observation == first)
        #expect(car.actionSpace == .box(low: -1, high: 1, shape: [1]))
        for _ in 0..<20 { _ = car.step([0.7]) }
        // A Codable copy (the snapshot of batched environments) continues identically.
        var copy = try JSONDecoder().decode(MountainCarContinuous.self, from: JSONEncoder().encode(car))
        for _ in 0..<50 {
            let x = car.step([-0.3]), y = copy.step([-0.3])
            #expect(x.observation == y.observation && x.reward == y.reward && x.terminated == y.terminated)
        }
        // Forces beyond ±1 move the car as ±1 does (up to rounding: NumPy computes a clipped force,
        // a Python float, in double, and the float32 action in float32), but cost their full square.
        var a = car, b = car
        let big = a.step([3]), one = b.step([1])
        let gap = big.observation - one.observation
        #expect(Swift.max(Swift.abs(gap.x), Swift.abs(gap.y)) <= 1e-6)
        #expect(big.reward == -(9 * 0.1) && one.reward == -0.1)
    }

    @Test func transitionTablesEqualGymnasiumsEntryForEntry() throws {
        let file = try fixture(TableFile.self, "gymnasium_tables")
        #expect(file.tables.count == 6)
        for table in file.tables {
            let environment = try environments.make(table.id, options: table.options)
            let model = try #require(environment.tabularModel)
            #expect(model.stateCount == table.P.count && model.actionCount == table.P[0].count)
            for (s, actions) in table.P.enumerated() {
                for (a, expected) in actions.enumerated() {
                    let ours = model.outcomes(state: s, action: a).map {
                        TableFile.Entry(probability: $0.probability, next: $0.nextState, reward: $0.reward, terminal: $0.terminal)
                    }
                    #expect(ours == expected, "\(table.id) \(table.options) P[\(s)][\(a)]: \(ours) vs \(expected)")
                }
            }
        }
    }
}
