import Drawing
import RL
import Random

/// A deterministic-or-stochastic gridworld given by its full table: the book's examples
/// (Sutton & Barto, 2nd ed.) and Four Rooms are built by the static constructors below.
/// States are cells, numbered row-major (`row · columns + column`); walls are cells the agent
/// cannot enter (they keep a self-loop so the table stays square).
public struct GridWorld: TableEnvironment {
    public let name: String
    public let rows: Int, columns: Int
    public let walls: Set<Int>
    /// Letters drawn on special cells (start S, goal G, the book's A, B, A′, B′, …).
    public let labels: [Int: Character]
    /// Upward wind per column (Windy Gridworld), drawn under the grid.
    public let wind: [Int]?
    public let actionNames: [String]
    public let model: TableMDP
    public var position = 0
    public var generator = RandomGenerator(seed: 0)

    init(name: String, rows: Int, columns: Int, walls: Set<Int> = [], labels: [Int: Character],
         wind: [Int]? = nil, actionNames: [String], model: TableMDP) {
        self.name = name
        self.rows = rows
        self.columns = columns
        self.walls = walls
        self.labels = labels
        self.wind = wind
        self.actionNames = actionNames
        self.model = model
    }
}

extension GridWorld: DynamicEnvironment {
    public var scene: any Scene {
        let cells: [GridScene.Cell] = (0..<(rows * columns)).map { s in
            if walls.contains(s) { return .wall }
            switch labels[s] {
            case nil: return .empty
            case "S": return .start
            case "G", "T": return .goal
            case let letter?: return .label(letter)
            }
        }
        return GridScene(rows: rows, columns: columns, cells: cells, agent: position, wind: wind)
    }

    public func renderText() -> String {
        var lines = (0..<rows).map { r in
            String((0..<columns).map { c -> Character in
                let s = r * columns + c
                if s == position { return "@" }
                if walls.contains(s) { return "█" }
                return labels[s] ?? "."
            })
        }
        if let wind { lines.append(wind.map(String.init).joined()) }
        return lines.joined(separator: "\n")
    }
}

// MARK: - Building tables

extension GridWorld {
    /// Up, down, right, left (the book's order for Example 4.1 and the windy gridworld).
    static let compass = [(-1, 0), (1, 0), (0, 1), (0, -1)]
    static let compassNames = ["up", "down", "right", "left"]

    /// The cell reached by moving (dr, dc) from `state`, clamped to the grid; walls block.
    static func move(_ state: Int, _ delta: (Int, Int), rows: Int, columns: Int, walls: Set<Int>) -> Int {
        let r = Swift.min(Swift.max(state / columns + delta.0, 0), rows - 1)
        let c = Swift.min(Swift.max(state % columns + delta.1, 0), columns - 1)
        let next = r * columns + c
        return walls.contains(next) ? state : next
    }

    static func startingAt(_ state: Int, count: Int) -> [Double] {
        var distribution = [Double](repeating: 0, count: count)
        distribution[state] = 1
        return distribution
    }

    /// Example 3.5 (Figure 3.2): a 5×5 continuing task. Moves off the grid cost −1 and leave
    /// the agent in place; every action in A jumps to A′ with +10, in B to B′ with +5; all other
    /// moves give 0. Starts in a uniformly random cell. Actions: up, down, right, left.
    public static func suttonBarto5x5() -> GridWorld {
        let (rows, columns) = (5, 5)
        let (a, aPrime, b, bPrime) = (1, 21, 3, 13)
        let table = (0..<25).map { s in
            compass.map { delta -> [Outcome] in
                if s == a { return [Outcome(probability: 1, nextState: aPrime, reward: 10, terminal: false)] }
                if s == b { return [Outcome(probability: 1, nextState: bPrime, reward: 5, terminal: false)] }
                let (r, c) = (s / columns + delta.0, s % columns + delta.1)
                if r < 0 || r >= rows || c < 0 || c >= columns {
                    return [Outcome(probability: 1, nextState: s, reward: -1, terminal: false)]
                }
                return [Outcome(probability: 1, nextState: r * columns + c, reward: 0, terminal: false)]
            }
        }
        return GridWorld(name: "Gridworld5x5", rows: rows, columns: columns,
                         labels: [a: "A", aPrime: "a", b: "B", bPrime: "b"], actionNames: compassNames,
                         model: TableMDP(table: table, startDistribution: Array(repeating: 1.0 / 25, count: 25)))
    }

    /// Example 4.1 (Figure 4.1): a 4×4 episodic task whose two opposite corners (states 0 and
    /// 15) are terminal; every move costs −1; moves off the grid leave the agent in place.
    /// Starts uniformly among the 14 non-terminal cells.
    public static func suttonBarto4x4() -> GridWorld {
        let terminal: Set<Int> = [0, 15]
        let table = (0..<16).map { s in
            compass.map { delta -> [Outcome] in
                if terminal.contains(s) { return [Outcome(probability: 1, nextState: s, reward: 0, terminal: true)] }
                let next = move(s, delta, rows: 4, columns: 4, walls: [])
                return [Outcome(probability: 1, nextState: next, reward: -1, terminal: terminal.contains(next))]
            }
        }
        let starts = (0..<16).map { terminal.contains($0) ? 0.0 : 1.0 / 14 }
        return GridWorld(name: "Gridworld4x4", rows: 4, columns: 4, labels: [0: "T", 15: "T"],
                         actionNames: compassNames, model: TableMDP(table: table, startDistribution: starts))
    }

    /// Example 6.5: a 7×10 grid with an upward wind of [0,0,0,1,1,1,2,2,1,0] cells per column (the
    /// column the agent leaves); −1 per step until the goal. With `kingMoves` (Exercise 6.9) the
    /// eight compass moves are available, and with `stochasticWind` (Exercise 6.10) the wind
    /// varies by ±1 with probability 1/3 each.
    public static func windy(kingMoves: Bool = false, stochasticWind: Bool = false) -> GridWorld {
        let (rows, columns) = (7, 10)
        let wind = [0, 0, 0, 1, 1, 1, 2, 2, 1, 0]
        let (start, goal) = (3 * columns + 0, 3 * columns + 7)
        var deltas = compass
        var names = compassNames
        if kingMoves {
            deltas += [(-1, 1), (1, 1), (1, -1), (-1, -1)]
            names += ["up-right", "down-right", "down-left", "up-left"]
        }
        let table = (0..<(rows * columns)).map { s in
            deltas.map { delta -> [Outcome] in
                if s == goal { return [Outcome(probability: 1, nextState: s, reward: 0, terminal: true)] }
                let strength = wind[s % columns]
                let variations = stochasticWind && strength > 0 ? [-1, 0, 1] : [0]
                return variations.map { extra in
                    let next = move(s, (delta.0 - strength - extra, delta.1), rows: rows, columns: columns, walls: [])
                    return Outcome(probability: 1 / Double(variations.count), nextState: next, reward: -1, terminal: next == goal)
                }
            }
        }
        return GridWorld(name: "WindyGridworld", rows: rows, columns: columns, labels: [start: "S", goal: "G"], wind: wind,
                         actionNames: names, model: TableMDP(table: table, startDistribution: startingAt(start, count: rows * columns)))
    }

    /// Figure 8.2's maze: 6×9 with walls, start S at (2, 0), goal G at (0, 8); reward +1 on
    /// reaching the goal, 0 otherwise.
    public static func dynaMaze() -> GridWorld {
        let (rows, columns) = (6, 9)
        let walls: Set<Int> = [1 * 9 + 2, 2 * 9 + 2, 3 * 9 + 2, 4 * 9 + 5, 0 * 9 + 7, 1 * 9 + 7, 2 * 9 + 7]
        let (start, goal) = (2 * columns, 8)
        let table = (0..<(rows * columns)).map { s in
            compass.map { delta -> [Outcome] in
                if s == goal || walls.contains(s) { return [Outcome(probability: 1, nextState: s, reward: 0, terminal: s == goal)] }
                let next = move(s, delta, rows: rows, columns: columns, walls: walls)
                return [Outcome(probability: 1, nextState: next, reward: next == goal ? 1 : 0, terminal: next == goal)]
            }
        }
        return GridWorld(name: "DynaMaze", rows: rows, columns: columns, walls: walls, labels: [start: "S", goal: "G"],
                         actionNames: compassNames, model: TableMDP(table: table, startDistribution: startingAt(start, count: rows * columns)))
    }

    /// Four Rooms (Sutton, Precup & Singh, 1999): four rooms joined by hallways inside a 13×13
    /// walled grid. An action moves as intended with probability `successRate` and in each of the
    /// other three directions with the rest split evenly (the paper: 2/3); reward +1 on entering
    /// the goal (bottom-right room's corner by default), 0 otherwise. Starts in the top-left room.
    public static func fourRooms(successRate: Double = 2.0 / 3.0) -> GridWorld {
        let layout = [
            "#############",
            "#     #     #",
            "#     #     #",
            "#           #",
            "#     #     #",
            "#     #     #",
            "## ####     #",
            "#     ### ###",
            "#     #     #",
            "#     #     #",
            "#           #",
            "#     #     #",
            "#############",
        ].map(Array.init)
        let (rows, columns) = (13, 13)
        var walls = Set<Int>()
        for r in 0..<rows { for c in 0..<columns where layout[r][c] == "#" { walls.insert(r * columns + c) } }
        let (start, goal) = (1 * columns + 1, 11 * columns + 11)
        let other = (1 - successRate) / 3
        let table = (0..<(rows * columns)).map { s in
            (0..<4).map { a -> [Outcome] in
                if s == goal || walls.contains(s) { return [Outcome(probability: 1, nextState: s, reward: 0, terminal: s == goal)] }
                return (0..<4).map { b in
                    let next = move(s, compass[b], rows: rows, columns: columns, walls: walls)
                    return Outcome(probability: b == a ? successRate : other, nextState: next,
                                   reward: next == goal ? 1 : 0, terminal: next == goal)
                }
            }
        }
        return GridWorld(name: "FourRooms", rows: rows, columns: columns, walls: walls, labels: [start: "S", goal: "G"],
                         actionNames: compassNames, model: TableMDP(table: table, startDistribution: startingAt(start, count: rows * columns)))
    }
}
