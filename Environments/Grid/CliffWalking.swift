import Drawing
import RL
import Random

/// Gymnasium's `CliffWalking-v1` (Sutton & Barto, Example 6.6): a 4×12 grid, start at the
/// bottom-left, goal at the bottom-right, the cells between them a cliff. Each step costs −1;
/// stepping into the cliff costs −100 and sends the agent back to the start (not terminal).
/// Actions: 0 up, 1 right, 2 down, 3 left. With `isSlippery` the agent moves in the intended
/// direction or either perpendicular one, each with probability 1/3.
public struct CliffWalking: TableEnvironment {
    public static let rows = 4, columns = 12
    public static let start = 36, goal = 47

    public let isSlippery: Bool
    public let model: TableMDP
    public var position = CliffWalking.start
    public var generator = RandomGenerator(seed: 0)

    public init(isSlippery: Bool = false) {
        self.isSlippery = isSlippery
        let deltas = [(-1, 0), (0, 1), (1, 0), (0, -1)]  // up, right, down, left
        func isCliff(_ r: Int, _ c: Int) -> Bool { r == 3 && c >= 1 && c <= 10 }
        var table: [[[Outcome]]] = []
        for s in 0..<(Self.rows * Self.columns) {
            let (row, column) = (s / Self.columns, s % Self.columns)
            table.append((0..<4).map { move in
                let moves = isSlippery ? [(move + 3) % 4, move, (move + 1) % 4] : [move]
                return moves.map { m in
                    let r = Swift.min(Swift.max(row + deltas[m].0, 0), Self.rows - 1)
                    let c = Swift.min(Swift.max(column + deltas[m].1, 0), Self.columns - 1)
                    let probability = 1.0 / Double(moves.count)
                    if isCliff(r, c) { return Outcome(probability: probability, nextState: Self.start, reward: -100, terminal: false) }
                    let next = r * Self.columns + c
                    return Outcome(probability: probability, nextState: next, reward: -1, terminal: next == Self.goal)
                }
            })
        }
        var starts = [Double](repeating: 0, count: Self.rows * Self.columns)
        starts[Self.start] = 1
        model = TableMDP(table: table, startDistribution: starts)
    }
}

extension CliffWalking: DynamicEnvironment {
    public var scene: any Scene {
        let cells: [GridScene.Cell] = (0..<(Self.rows * Self.columns)).map { s in
            if s == Self.goal { return .goal }
            if s == Self.start { return .start }
            return s / Self.columns == 3 ? .cliff : .empty
        }
        // Actions: 0 up, 1 right, 2 down, 3 left.
        return GridScene(rows: Self.rows, columns: Self.columns, cells: cells, agent: position,
                         moves: [.init(-1, 0), .init(0, 1), .init(1, 0), .init(0, -1)])
    }

    public func renderText() -> String {
        (0..<Self.rows).map { r in
            String((0..<Self.columns).map { c -> Character in
                let s = r * Self.columns + c
                if s == position { return "x" }
                if s == Self.goal { return "T" }
                return r == 3 && c >= 1 && c <= 10 ? "C" : "o"
            })
        }.joined(separator: "\n")
    }
}
