import Foundation
import RL

/// What an agent thinks, drawn over the scene.
public enum Overlay: Sendable {
    /// A tabular agent: V(s) per cell as a heatmap, and the greedy action per cell as an arrow
    /// along `directions[action]` = (row step, column step).
    case tabular(values: [Double], policy: [Int]?, directions: [(row: Int, column: Int)])
    /// A deep agent: π(·|s) and, if it has a critic, V(s).
    case policy(probabilities: [Double], value: Double?)
    /// A bandit agent: estimated arm values, optional upper confidence bounds, pull counts.
    case bandit(estimates: [Double], upperBounds: [Double]?, counts: [Int])
}

/// Draws scenes as Gymnasium's classic-control renderers do (same screen sizes, scales and
/// colours), and the other families in the same spirit. Pixel y grows downwards.
public enum SceneRenderer {
    /// The canvas size each scene is drawn at (Gymnasium's: 600×400 for CartPole and
    /// MountainCar, 500×500 for Acrobot and Pendulum).
    public static func size(of scene: Scene) -> (width: Int, height: Int) {
        switch scene {
        case .cartPole, .mountainCar: (600, 400)
        case .acrobot, .pendulum: (500, 500)
        case .grid(let rows, let columns, _, _, _):
            (Swift.max(columns * gridCell(rows, columns), 320), rows * gridCell(rows, columns) + 28)
        case .bandit(let values): (Swift.max(320, values.count * 48 + 40), 360)
        case .bits(let current, _): (Swift.max(320, current.count * 28 + 40), 200)
        }
    }

    public static func render(_ scene: Scene, overlay: Overlay? = nil, hud: String? = nil) -> Canvas {
        let (width, height) = size(of: scene)
        var canvas = Canvas(width: width, height: height)
        switch scene {
        case .cartPole(let position, let angle, let limit): drawCartPole(&canvas, position, angle, limit)
        case .mountainCar(let position, let goal, let bounds): drawMountainCar(&canvas, position, goal, bounds)
        case .acrobot(let theta1, let theta2): drawAcrobot(&canvas, theta1, theta2)
        case .pendulum(let angle, let torque): drawPendulum(&canvas, angle, torque)
        case .grid(let rows, let columns, let cells, let agent, let wind):
            drawGrid(&canvas, rows, columns, cells, agent, wind, overlay)
        case .bandit(let values): drawBandit(&canvas, values, overlay)
        case .bits(let current, let goal): drawBits(&canvas, current, goal)
        }
        if case .policy(let probabilities, let value) = overlay { drawPolicy(&canvas, probabilities, value) }
        if let hud { canvas.text(hud, x: 6, y: 6, scale: 2, .hud) }
        return canvas
    }

    // MARK: Classic control

    /// Gymnasium's CartPole: 125 px per metre, the track 100 px above the bottom, a 50×30 cart,
    /// a 10 px pole of 2 × half-length, hinged a quarter cart-height above the cart's centre.
    public static func cartPoleGeometry(position: Double, angle: Double, trackLimit: Double)
        -> (axle: (x: Double, y: Double), tip: (x: Double, y: Double), cartY: Double) {
        let scale = 600 / (2 * trackLimit), poleLength = scale * 1.0
        let cartX = position * scale + 300, cartY = 400 - 100.0
        let axle = (x: cartX, y: cartY - 30.0 / 4)
        let tip = (x: axle.x + (poleLength - 5) * Foundation.sin(angle), y: axle.y - (poleLength - 5) * Foundation.cos(angle))
        return (axle, tip, cartY)
    }

    static func drawCartPole(_ c: inout Canvas, _ position: Double, _ angle: Double, _ limit: Double) {
        let g = cartPoleGeometry(position: position, angle: angle, trackLimit: limit)
        c.line(from: (0, g.cartY), to: (600, g.cartY), thickness: 1, .track)
        c.fill(x: Int(g.axle.x - 25), y: Int(g.cartY - 15), width: 50, height: 30, .cart)
        c.line(from: g.axle, to: g.tip, thickness: 10, .pole)
        c.disc(centerX: g.axle.x, centerY: g.axle.y, radius: 5, .axle)
    }

    static func drawMountainCar(_ c: inout Canvas, _ position: Double, _ goal: Double, _ bounds: ClosedRange<Double>) {
        let scale = 600 / (bounds.upperBound - bounds.lowerBound)
        func point(_ x: Double) -> (x: Double, y: Double) {
            ((x - bounds.lowerBound) * scale, 400 - (Foundation.sin(3 * x) * 0.45 + 0.55) * scale)
        }
        var previous = point(bounds.lowerBound)
        for i in 1...100 {
            let next = point(bounds.lowerBound + (bounds.upperBound - bounds.lowerBound) * Double(i) / 100)
            c.line(from: previous, to: next, thickness: 2, .hill)
            previous = next
        }
        let flag = point(goal)
        c.line(from: flag, to: (flag.x, flag.y - 50), thickness: 2, .hill)
        c.fill(x: Int(flag.x), y: Int(flag.y - 50), width: 25, height: 10, .flag)
        let car = point(position)
        c.disc(centerX: car.x, centerY: car.y - 14, radius: 12, .car)
    }

    static func drawAcrobot(_ c: inout Canvas, _ theta1: Double, _ theta2: Double) {
        let scale = 500 / 4.4, offset = 250.0
        // Gymnasium's coordinates with y up and x, y swapped; here y is flipped for the screen.
        let p1 = (x: offset + Foundation.sin(theta1) * scale, y: offset + Foundation.cos(theta1) * scale)
        let p2 = (x: p1.x + Foundation.sin(theta1 + theta2) * scale, y: p1.y + Foundation.cos(theta1 + theta2) * scale)
        c.line(from: (offset - 2.2 * scale, offset - scale), to: (offset + 2.2 * scale, offset - scale), thickness: 1, .black)
        c.line(from: (offset, offset), to: p1, thickness: 10, .link)
        c.line(from: p1, to: p2, thickness: 10, .link)
        for joint in [(offset, offset), p1] { c.disc(centerX: joint.0, centerY: joint.1, radius: 5, .joint) }
    }

    static func drawPendulum(_ c: inout Canvas, _ angle: Double, _ torque: Double?) {
        let scale = 500 / 4.4, offset = 250.0
        // Gymnasium rotates the rod by θ + π/2 with y up: the bob is at (−sin θ, cos θ) from the pivot.
        let end = (x: offset - scale * Foundation.sin(angle), y: offset - scale * Foundation.cos(angle))
        c.line(from: (offset, offset), to: end, thickness: 0.2 * scale, .rod)
        c.disc(centerX: end.x, centerY: end.y, radius: 0.1 * scale, .rod)
        c.disc(centerX: offset, centerY: offset, radius: 0.05 * scale, .black)
        if let torque, torque != 0 {  // the torque as a bar below the pivot, its length ∝ |u|
            let length = torque / 2 * 100
            c.fill(x: Int(offset + Swift.min(length, 0)), y: Int(offset + 1.6 * scale), width: Int(Swift.abs(length)), height: 8, .axle)
        }
    }

    // MARK: Grids, bandits, bits

    public static func gridCell(_ rows: Int, _ columns: Int) -> Int { Swift.max(16, Swift.min(64, 512 / Swift.max(rows, columns))) }

    static func drawGrid(_ c: inout Canvas, _ rows: Int, _ columns: Int, _ cells: [Scene.Cell], _ agent: Int,
                         _ wind: [Int]?, _ overlay: Overlay?) {
        let size = gridCell(rows, columns), top = 28
        var heat: [Double]? = nil
        if case .tabular(let values, _, _) = overlay, values.count == cells.count {
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
        if case .tabular(_, let policy?, let directions) = overlay {
            for index in cells.indices where index < policy.count && policy[index] < directions.count {
                guard cells[index] != .wall, cells[index] != .hole, cells[index] != .goal, cells[index] != .cliff else { continue }
                let (r, col) = (index / columns, index % columns), d = directions[policy[index]]
                let centre = (x: (Double(col) + 0.5) * Double(size), y: Double(top) + (Double(r) + 0.5) * Double(size))
                let head = (x: centre.x + Double(d.column) * Double(size) * 0.3, y: centre.y + Double(d.row) * Double(size) * 0.3)
                c.line(from: centre, to: head, thickness: 2, .black)
                c.disc(centerX: head.x, centerY: head.y, radius: 3, .black)
            }
        }
        c.disc(centerX: (Double(agent % columns) + 0.5) * Double(size), centerY: Double(top) + (Double(agent / columns) + 0.5) * Double(size),
               radius: Double(size) * 0.3, .agent)
    }

    static func drawBandit(_ c: inout Canvas, _ values: [Double], _ overlay: Overlay?) {
        var all = values
        var estimates: [Double]? = nil, upper: [Double]? = nil, counts: [Int]? = nil
        if case .bandit(let e, let u, let n) = overlay { (estimates, upper, counts) = (e, u, n); all += e + (u ?? []) }
        let finite = all.filter(\.isFinite)
        let low = Swift.min(finite.min() ?? 0, 0), high = Swift.max(finite.max() ?? 1, 0)
        let span = Swift.max(high - low, 1e-9), top = 40.0, bottom = 320.0
        func y(_ v: Double) -> Double { bottom - (v - low) / span * (bottom - top) }
        c.line(from: (20, y(0)), to: (Double(c.width - 20), y(0)), thickness: 1, .grid)
        for (arm, value) in values.enumerated() {
            let x = 30 + arm * 48
            c.fill(x: x, y: Int(Swift.min(y(value), y(0))), width: 16, height: Int(Swift.abs(y(value) - y(0))) + 1, .truth)
            if let estimates, arm < estimates.count {
                c.fill(x: x + 18, y: Int(Swift.min(y(estimates[arm]), y(0))), width: 16, height: Int(Swift.abs(y(estimates[arm]) - y(0))) + 1, .estimate)
                if let upper, arm < upper.count, upper[arm].isFinite {
                    c.line(from: (Double(x + 26), y(estimates[arm])), to: (Double(x + 26), y(upper[arm])), thickness: 2, .black)
                }
            }
            c.text(counts.map { arm < $0.count ? "\($0[arm])" : "" } ?? "\(arm)", x: x, y: 330, scale: 1, .black)
        }
    }

    static func drawBits(_ c: inout Canvas, _ current: [Bool], _ goal: [Bool]) {
        for (row, bits) in [current, goal].enumerated() {
            c.text(row == 0 ? "NOW" : "GOAL", x: 6, y: 50 + row * 60, scale: 1, .black)
            for (i, bit) in bits.enumerated() {
                let matches = i < goal.count && bit == goal[i]
                c.fill(x: 40 + i * 28, y: 40 + row * 60, width: 24, height: 24, bit ? (row == 0 && !matches ? .agent : .black) : .ice)
            }
        }
    }

    /// Action probabilities as bars along the bottom and the value estimate beside them.
    static func drawPolicy(_ c: inout Canvas, _ probabilities: [Double], _ value: Double?) {
        let base = c.height - 12
        for (a, p) in probabilities.enumerated() {
            let h = Int((p * 60).rounded())
            c.fill(x: 10 + a * 26, y: base - h, width: 20, height: h, .estimate)
            c.text("\(a)", x: 16 + a * 26, y: base + 2, scale: 1, .black)
        }
        if let value { c.text(String(format: "V %.1f", value), x: 20 + probabilities.count * 26, y: base - 14, scale: 2, .hud) }
    }
}
