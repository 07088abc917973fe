import Drawing
import Foundation

// Gymnasium's classic-control renderers, drawn the same way: its screen sizes (600×400 for
// CartPole and MountainCar, 500×500 for Acrobot and Pendulum), scales and colours.

/// A cart at `position` on a track of ±`trackLimit`, its pole at `angle` radians from upright.
public struct CartPoleScene: Scene, Equatable {
    public var position: Double, angle: Double, trackLimit: Double

    public init(position: Double, angle: Double, trackLimit: Double) {
        (self.position, self.angle, self.trackLimit) = (position, angle, trackLimit)
    }

    public var size: (width: Int, height: Int) { (600, 400) }

    /// Gymnasium's geometry: 125 px per metre, the track 100 px above the bottom, a 50×30 cart,
    /// a 10 px pole of 2 × half-length, hinged a quarter cart-height above the cart's centre.
    public var geometry: (axle: (x: Double, y: Double), tip: (x: Double, y: Double), cartY: Double) {
        let scale = 600 / (2 * trackLimit), poleLength = scale * 1.0
        let cartX = position * scale + 300, cartY = 400 - 100.0
        let axle = (x: cartX, y: cartY - 30.0 / 4)
        let tip = (x: axle.x + (poleLength - 5) * sin(angle), y: axle.y - (poleLength - 5) * cos(angle))
        return (axle, tip, cartY)
    }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        let g = geometry
        c.line(from: (0, g.cartY), to: (600, g.cartY), thickness: 1, .track)
        c.fill(x: Int(g.axle.x - 25), y: Int(g.cartY - 15), width: 50, height: 30, .cart)
        c.line(from: g.axle, to: g.tip, thickness: 10, .pole)
        c.disc(centerX: g.axle.x, centerY: g.axle.y, radius: 5, .axle)
    }
}

/// A car at `position` on the curve y = sin(3x), between the bounds, with the flag at `goal`.
public struct MountainCarScene: Scene, Equatable {
    public var position: Double, goal: Double, bounds: ClosedRange<Double>

    public init(position: Double, goal: Double, bounds: ClosedRange<Double>) {
        (self.position, self.goal, self.bounds) = (position, goal, bounds)
    }

    public var size: (width: Int, height: Int) { (600, 400) }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        let scale = 600 / (bounds.upperBound - bounds.lowerBound)
        func point(_ x: Double) -> (x: Double, y: Double) {
            ((x - bounds.lowerBound) * scale, 400 - (sin(3 * x) * 0.45 + 0.55) * scale)
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
}

/// Two links hanging from a pivot at angles θ1 and θ2 (0 hangs straight down).
public struct AcrobotScene: Scene, Equatable {
    public var theta1: Double, theta2: Double

    public init(theta1: Double, theta2: Double) { (self.theta1, self.theta2) = (theta1, theta2) }

    public var size: (width: Int, height: Int) { (500, 500) }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        let scale = 500 / 4.4, offset = 250.0
        // Gymnasium's coordinates with y up and x, y swapped; here y is flipped for the screen.
        let p1 = (x: offset + sin(theta1) * scale, y: offset + cos(theta1) * scale)
        let p2 = (x: p1.x + sin(theta1 + theta2) * scale, y: p1.y + cos(theta1 + theta2) * scale)
        c.line(from: (offset - 2.2 * scale, offset - scale), to: (offset + 2.2 * scale, offset - scale), thickness: 1, .black)
        c.line(from: (offset, offset), to: p1, thickness: 10, .link)
        c.line(from: p1, to: p2, thickness: 10, .link)
        for joint in [(offset, offset), p1] { c.disc(centerX: joint.0, centerY: joint.1, radius: 5, .joint) }
    }
}

/// A pendulum at `angle` (0 upright) with the last torque applied, if any.
public struct PendulumScene: Scene, Equatable {
    public var angle: Double, torque: Double?

    public init(angle: Double, torque: Double?) { (self.angle, self.torque) = (angle, torque) }

    public var size: (width: Int, height: Int) { (500, 500) }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        let scale = 500 / 4.4, offset = 250.0
        // Gymnasium rotates the rod by θ + π/2 with y up: the bob is at (−sin θ, cos θ) from the pivot.
        let end = (x: offset - scale * sin(angle), y: offset - scale * cos(angle))
        c.line(from: (offset, offset), to: end, thickness: 0.2 * scale, .rod)
        c.disc(centerX: end.x, centerY: end.y, radius: 0.1 * scale, .rod)
        c.disc(centerX: offset, centerY: offset, radius: 0.05 * scale, .black)
        if let torque, torque != 0 {  // the torque as a bar below the pivot, its length ∝ |u|
            let length = torque / 2 * 100
            c.fill(x: Int(offset + Swift.min(length, 0)), y: Int(offset + 1.6 * scale), width: Int(Swift.abs(length)), height: 8, .axle)
        }
    }
}
