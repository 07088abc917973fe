import Drawing
import RL
import Random

/// Gymnasium's `FrozenLake-v1`: cross a frozen lake from S to G without falling into a hole H.
/// On slippery ice the agent moves in the intended direction with probability
/// `successRate` and to either perpendicular side with the rest, split evenly. Reward 1 at G.
/// Actions: 0 left, 1 down, 2 right, 3 up. The registry adds the time limit (100 steps on 4×4,
/// 200 on 8×8).
public struct FrozenLake: TableEnvironment {
    public static let maps: [String: [String]] = [
        "4x4": ["SFFF", "FHFH", "FFFH", "HFFG"],
        "8x8": ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
    ]

    public let map: [[Character]]
    public let isSlippery: Bool
    public let model: TableMDP
    public var position = 0
    public private(set) var lastAction: Int?
    public var generator = RandomGenerator(seed: 0)

    /// - Parameters:
    ///   - map: rows of S (start), F (frozen), H (hole), G (goal); one S, square or not.
    public init(map rows: [String] = FrozenLake.maps["4x4"]!, isSlippery: Bool = true, successRate: Double = 1.0 / 3.0) {
        let map = rows.map(Array.init)
        precondition(!map.isEmpty && map.allSatisfy { $0.count == map[0].count }, "FrozenLake map rows must have equal length")
        self.map = map
        self.isSlippery = isSlippery
        let (rowCount, columnCount) = (map.count, map[0].count)
        let failRate = (1.0 - successRate) / 2.0

        func move(_ row: Int, _ column: Int, _ action: Int) -> (Int, Int) {
            switch action {
            case 0: (row, Swift.max(column - 1, 0))
            case 1: (Swift.min(row + 1, rowCount - 1), column)
            case 2: (row, Swift.min(column + 1, columnCount - 1))
            default: (Swift.max(row - 1, 0), column)
            }
        }
        func outcome(_ row: Int, _ column: Int, _ action: Int, probability: Double) -> Outcome {
            let (r, c) = move(row, column, action)
            let letter = map[r][c]
            return Outcome(probability: probability, nextState: r * columnCount + c,
                           reward: letter == "G" ? 1 : 0, terminal: letter == "G" || letter == "H")
        }
        var table: [[[Outcome]]] = []
        for row in 0..<rowCount {
            for column in 0..<columnCount {
                let s = row * columnCount + column
                table.append((0..<4).map { a -> [Outcome] in
                    if "GH".contains(map[row][column]) {
                        return [Outcome(probability: 1, nextState: s, reward: 0, terminal: true)]
                    }
                    if !isSlippery { return [outcome(row, column, a, probability: 1)] }
                    return [(a + 3) % 4, a, (a + 1) % 4].map { b in
                        outcome(row, column, b, probability: b == a ? successRate : failRate)
                    }
                })
            }
        }
        let starts = map.flatMap { $0 }.map { $0 == "S" ? 1.0 : 0.0 }
        let total = starts.reduce(0, +)
        precondition(total > 0, "FrozenLake map needs a start cell S")
        model = TableMDP(table: table, startDistribution: starts.map { $0 / total })
    }

    public mutating func reset(seed: UInt64?) -> (observation: Int, info: Info) {
        if let seed { generator = RandomGenerator(seed: seed) }
        position = model.sampleStart(using: &generator)
        lastAction = nil
        return (position, Info())
    }

    public mutating func step(_ action: Int) -> Transition<Int> {
        lastAction = action
        return stepInTable(action)
    }
}

extension FrozenLake: DynamicEnvironment {
    public var scene: any Scene {
        let cells: [GridScene.Cell] = map.flatMap { $0 }.map { letter in
            switch letter {
            case "H": .hole
            case "G": .goal
            case "S": .start
            default: .empty
            }
        }
        // Actions: 0 left, 1 down, 2 right, 3 up.
        return GridScene(rows: map.count, columns: map[0].count, cells: cells, agent: position,
                         moves: [.init(0, -1), .init(1, 0), .init(0, 1), .init(-1, 0)])
    }

    public func renderText() -> String {
        let columns = map[0].count
        var lines: [String] = []
        if let lastAction { lines.append("  (\(["Left", "Down", "Right", "Up"][lastAction]))") }
        for (r, row) in map.enumerated() {
            lines.append(String(row.enumerated().map { c, letter in r * columns + c == position ? "@" : letter }))
        }
        return lines.joined(separator: "\n")
    }
}
