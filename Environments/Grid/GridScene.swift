import Drawing

/// A gridworld: cells row-major, the agent's cell, optionally the upward wind of each column,
/// and where each action moves the agent. A tabular agent's overlay shades the cells by V(s)
/// and draws its greedy action as an arrow along that action's move.
public struct GridScene: Scene, Equatable {
    public enum Cell: Equatable, Sendable {
        case empty, wall, hole, cliff, start, goal
        /// A lettered cell, such as the book's A and B.
        case label(Character)
    }

    /// One action's step on the grid, in rows (down is +1) and columns (right is +1).
    public struct Move: Equatable, Sendable {
        public var row: Int, column: Int
        public init(_ row: Int, _ column: Int) { (self.row, self.column) = (row, column) }
    }

    /// Up, down, right, left and then the diagonals: the book's gridworlds' action order.
    public static let compassMoves = [Move(-1, 0), Move(1, 0), Move(0, 1), Move(0, -1), Move(-1, 1), Move(1, 1), Move(1, -1), Move(-1, -1)]

    public var rows: Int, columns: Int
    public var cells: [Cell]
    public var agent: Int
    public var wind: [Int]?
    /// `moves[a]` is where action a steps.
    public var moves: [Move]

    public init(rows: Int, columns: Int, cells: [Cell], agent: Int, wind: [Int]? = nil, moves: [Move] = GridScene.compassMoves) {
        precondition(cells.count == rows * columns, "a grid of \(rows)×\(columns) needs \(rows * columns) cells")
        (self.rows, self.columns, self.cells, self.agent, self.wind, self.moves) = (rows, columns, cells, agent, wind, moves)
    }

    /// Pixels per cell: 16 to 64, so that the grid spans about 512.
    public static func cellSize(rows: Int, columns: Int) -> Int { Swift.max(16, Swift.min(64, 512 / Swift.max(rows, columns))) }
    public var cellSize: Int { Self.cellSize(rows: rows, columns: columns) }
    /// The grid starts below the heads-up line.
    public static let top = 28

    public var size: (width: Int, height: Int) { (Swift.max(columns * cellSize, 320), rows * cellSize + Self.top) }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        let size = cellSize, top = Self.top
        var heat: [Double]? = nil
        if case .tabular(let values, _) = overlay, values.count == cells.count {
            let finite = values.filter(\.isFinite)
            let (low, high) = (finite.min() ?? 0, finite.max() ?? 1)
            heat = values.map { high > low ? ($0 - low) / (high - low) : 0.5 }
        }
        for index in cells.indices {
            let (r, col) = (index / columns, index % columns)
            let colour: Color = switch cells[index] {
            case .wall: .wall
            case .hole: .hole
            case .cliff: .cliff
            case .goal: .goal
            case .start: .start
            case .empty, .label: heat.map { Color.mix(.ice, .goal, $0[index] * 0.8) } ?? .ice
            }
            c.fill(x: col * size, y: top + r * size, width: size, height: size, colour)
            if case .label(let letter) = cells[index] { c.text(String(letter), x: col * size + size / 2 - 5, y: top + r * size + 4, scale: 2, .black) }
        }
        for r in 0...rows { c.fill(x: 0, y: top + r * size, width: columns * size, height: 1, .grid) }
        for col in 0...columns { c.fill(x: col * size, y: top, width: 1, height: rows * size, .grid) }
        if let wind {
            for (col, strength) in wind.enumerated() where strength > 0 {
                c.text("\(strength)", x: col * size + size / 2 - 5, y: top + rows * size - 18, scale: 2, .wind)
            }
        }
        if case .tabular(_, let policy?) = overlay {
            for index in cells.indices where index < policy.count && policy[index] < moves.count {
                guard cells[index] != .wall, cells[index] != .hole, cells[index] != .goal, cells[index] != .cliff else { continue }
                let (r, col) = (index / columns, index % columns), d = moves[policy[index]]
                let centre = (x: (Double(col) + 0.5) * Double(size), y: Double(top) + (Double(r) + 0.5) * Double(size))
                let head = (x: centre.x + Double(d.column) * Double(size) * 0.3, y: centre.y + Double(d.row) * Double(size) * 0.3)
                c.line(from: centre, to: head, thickness: 2, .black)
                c.disc(centerX: head.x, centerY: head.y, radius: 3, .black)
            }
        }
        c.disc(centerX: (Double(agent % columns) + 0.5) * Double(size), centerY: Double(top) + (Double(agent / columns) + 0.5) * Double(size),
               radius: Double(size) * 0.3, .agent)
    }
}
