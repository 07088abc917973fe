import Drawing

/// Bit strings: the current state above the goal, bits that differ from the goal in red.
public struct BitsScene: Scene, Equatable {
    public var current: [Bool], goal: [Bool]

    public init(current: [Bool], goal: [Bool]) { (self.current, self.goal) = (current, goal) }

    public var size: (width: Int, height: Int) { (Swift.max(320, current.count * 28 + 40), 200) }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        for (row, bits) in [current, goal].enumerated() {
            c.text(row == 0 ? "NOW" : "GOAL", x: 6, y: 50 + row * 60, scale: 1, .black)
            for (i, bit) in bits.enumerated() {
                let matches = i < goal.count && bit == goal[i]
                c.fill(x: 40 + i * 28, y: 40 + row * 60, width: 24, height: 24, bit ? (row == 0 && !matches ? .agent : .black) : .ice)
            }
        }
    }
}
