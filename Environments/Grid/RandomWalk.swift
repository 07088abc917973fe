import Drawing
import RL
import Random

/// Sutton & Barto Example 6.2: five states A–E in a row between two terminals; every episode
/// starts in C and moves left or right with equal probability; +1 on leaving to the right,
/// 0 otherwise. There is nothing to choose (one action): it is for prediction, where the true
/// values are 1/6, 2/6, …, 5/6. Observations 0 and 6 are the terminals, 1–5 are A–E.
public struct RandomWalk: TableEnvironment {
    public let model: TableMDP
    public var position = 3
    public var generator = RandomGenerator(seed: 0)

    public init(states: Int = 5) {
        precondition(states >= 1, "the walk needs at least one state")
        let count = states + 2
        model = TableMDP(table: (0..<count).map { s in
            if s == 0 || s == count - 1 { return [[Outcome(probability: 1, nextState: s, reward: 0, terminal: true)]] }
            return [[Outcome(probability: 0.5, nextState: s - 1, reward: 0, terminal: s - 1 == 0),
                     Outcome(probability: 0.5, nextState: s + 1, reward: s + 1 == count - 1 ? 1 : 0, terminal: s + 1 == count - 1)]]
        }, startDistribution: (0..<count).map { $0 == (count - 1) / 2 ? 1 : 0 })
        position = (count - 1) / 2
    }

    /// v_π of the non-terminal states: k / (n + 1).
    public var trueValues: [Double] { (1...(model.stateCount - 2)).map { Double($0) / Double(model.stateCount - 1) } }
}

extension RandomWalk: DynamicEnvironment {
    public var scene: any Scene {
        let count = model.stateCount
        let cells: [GridScene.Cell] = (0..<count).map { s in
            s == 0 || s == count - 1 ? .goal : .label(Character(UnicodeScalar(UInt8(64 + s))))
        }
        return GridScene(rows: 1, columns: count, cells: cells, agent: position, moves: [.init(0, -1), .init(0, 1)])
    }

    public func renderText() -> String {
        let count = model.stateCount
        return String((0..<count).map { s -> Character in
            if s == position { return "@" }
            return s == 0 || s == count - 1 ? "■" : Character(UnicodeScalar(UInt8(64 + s)))
        })
    }
}
