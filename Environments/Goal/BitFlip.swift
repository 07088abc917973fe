import Drawing
import RL
import Random

/// The bit-flipping task of the HER paper (Andrychowicz et al., 2017, §4.1): n bits and a
/// target pattern, both drawn at reset; action i flips bit i; reward −1 until the bits equal
/// the target, 0 on reaching it (which ends the episode). The registry limits episodes to n steps.
public struct BitFlip: GoalEnvironment {
    public let bitCount: Int
    public private(set) var bits: [Float]
    public private(set) var goal: [Float]
    private var generator = RandomGenerator(seed: 0)

    public init(bits: Int) {
        precondition(bits >= 1, "BitFlip needs at least one bit")
        bitCount = bits
        self.bits = Array(repeating: 0, count: bits)
        goal = Array(repeating: 0, count: bits)
    }

    public var observationSpace: Space { .multiBinary(3 * bitCount) }
    public var actionSpace: Space { .discrete(bitCount) }

    var observation: GoalObservation { GoalObservation(observation: bits, achievedGoal: bits, desiredGoal: goal) }

    public var goalCount: Int { bitCount }

    /// 0 where the bits equal the goal, −1 elsewhere, row by row.
    public func computeReward(achievedGoals: [Float], desiredGoals: [Float]) -> [Double] {
        equalRows(achievedGoals, desiredGoals, width: bitCount).map { $0 ? 0 : -1 }
    }

    public func isSuccess(achievedGoal: [Float], desiredGoal: [Float]) -> Bool { achievedGoal == desiredGoal }

    public mutating func reset(seed: UInt64?) -> (observation: GoalObservation, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        bits = (0..<bitCount).map { _ in Float(generator.nextInt(below: 2)) }
        goal = (0..<bitCount).map { _ in Float(generator.nextInt(below: 2)) }
        return (observation, goalInfo(observation))
    }

    public mutating func step(_ action: Int) -> Transition<GoalObservation> {
        precondition((0..<bitCount).contains(action), "bit index must be 0..<\(bitCount), got \(action)")
        bits[action] = 1 - bits[action]
        let observation = observation
        return Transition(observation: observation, reward: bits == goal ? 0 : -1, terminated: bits == goal, truncated: false,
                          info: goalInfo(observation))
    }
}

extension BitFlip: DynamicEnvironment {
    public var scene: any Scene { BitsScene(current: bits.map { $0 == 1 }, goal: goal.map { $0 == 1 }) }

    public func renderText() -> String {
        "bits " + bits.map { $0 == 1 ? "1" : "0" }.joined() + "\ngoal " + goal.map { $0 == 1 ? "1" : "0" }.joined()
    }
}

/// A goal-conditioned n×n gridworld: the agent starts in the top-left corner and a goal cell is
/// drawn uniformly among the others at reset. Observations, achieved and desired goals are
/// (row, column) pairs; reward −1 per step until the goal, 0 on reaching it.
/// Actions: up, down, right, left.
public struct GoalGridworld: GoalEnvironment {
    public let size: Int
    public private(set) var position: (row: Int, column: Int) = (0, 0)
    public private(set) var goal: (row: Int, column: Int) = (0, 0)
    private var generator = RandomGenerator(seed: 0)

    public init(size: Int = 8) {
        precondition(size >= 2, "the grid needs at least 2×2 cells")
        self.size = size
    }

    public var observationSpace: Space { .box(low: 0, high: Double(size - 1), shape: [6]) }
    public var actionSpace: Space { .discrete(4) }

    var observation: GoalObservation {
        let here = [Float(position.row), Float(position.column)]
        return GoalObservation(observation: here, achievedGoal: here, desiredGoal: [Float(goal.row), Float(goal.column)])
    }

    public var goalCount: Int { 2 }

    /// 0 on the goal cell, −1 elsewhere, row by row.
    public func computeReward(achievedGoals: [Float], desiredGoals: [Float]) -> [Double] {
        equalRows(achievedGoals, desiredGoals, width: 2).map { $0 ? 0 : -1 }
    }

    public func isSuccess(achievedGoal: [Float], desiredGoal: [Float]) -> Bool { achievedGoal == desiredGoal }

    public mutating func reset(seed: UInt64?) -> (observation: GoalObservation, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        position = (0, 0)
        let cell = 1 + generator.nextInt(below: size * size - 1)  // any cell but the start
        goal = (cell / size, cell % size)
        return (observation, goalInfo(observation))
    }

    public mutating func step(_ action: Int) -> Transition<GoalObservation> {
        precondition((0..<4).contains(action), "action must be 0–3, got \(action)")
        let delta = [(-1, 0), (1, 0), (0, 1), (0, -1)][action]
        position = (Swift.min(Swift.max(position.row + delta.0, 0), size - 1),
                    Swift.min(Swift.max(position.column + delta.1, 0), size - 1))
        let observation = observation, reached = observation.achievedGoal == observation.desiredGoal
        return Transition(observation: observation, reward: reached ? 0 : -1, terminated: reached, truncated: false,
                          info: goalInfo(observation))
    }
}

extension GoalGridworld: DynamicEnvironment {
    public var scene: any Scene {
        var cells = [GridScene.Cell](repeating: .empty, count: size * size)
        cells[goal.row * size + goal.column] = .goal
        return GridScene(rows: size, columns: size, cells: cells, agent: position.row * size + position.column)
    }

    public func renderText() -> String {
        (0..<size).map { r in
            String((0..<size).map { c -> Character in
                (r, c) == position ? "@" : ((r, c) == goal ? "G" : ".")
            })
        }.joined(separator: "\n")
    }
}

/// Whether each row of `a` equals the same row of `b` (rows of `width` values).
func equalRows(_ a: [Float], _ b: [Float], width: Int) -> [Bool] {
    precondition(a.count == b.count && a.count % width == 0, "goals must come in rows of \(width)")
    return (0..<(a.count / width)).map { row in (row * width..<(row + 1) * width).allSatisfy { a[$0] == b[$0] } }
}

// Goal tasks are saved with their state and generator, so a checkpointed run resumes exactly.
extension BitFlip: Codable {
    enum CodingKeys: String, CodingKey { case bitCount, bits, goal, generator }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let count = try container.decode(Int.self, forKey: .bitCount)
        let bits = try container.decode([Float].self, forKey: .bits), goal = try container.decode([Float].self, forKey: .goal)
        guard count >= 1, bits.count == count, goal.count == count, (bits + goal).allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.bits], debugDescription: "bits and goal must be \(count) zeros and ones"))
        }
        self.init(bits: count)
        (self.bits, self.goal) = (bits, goal)
        generator = try container.decode(RandomGenerator.self, forKey: .generator)
    }
}

extension GoalGridworld: Codable {
    enum CodingKeys: String, CodingKey { case size, position, goal, generator }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(size: try container.decode(Int.self, forKey: .size))
        let position = try container.decode([Int].self, forKey: .position), goal = try container.decode([Int].self, forKey: .goal)
        guard position.count == 2, goal.count == 2, (position + goal).allSatisfy((0..<size).contains) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.position], debugDescription: "cells must lie on the \(size)×\(size) grid"))
        }
        (self.position, self.goal) = ((position[0], position[1]), (goal[0], goal[1]))
        generator = try container.decode(RandomGenerator.self, forKey: .generator)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(size, forKey: .size)
        try container.encode([position.row, position.column], forKey: .position)
        try container.encode([goal.row, goal.column], forKey: .goal)
        try container.encode(generator, forKey: .generator)
    }
}
