/// What an environment looks like right now, as data for a renderer (the visualizer draws it;
/// nothing here knows about pixels).
public enum Scene: Equatable, Sendable {
    public enum Cell: Equatable, Sendable {
        case empty, wall, hole, cliff, start, goal
        /// A lettered cell, such as the book's A and B.
        case label(Character)
    }

    /// Cells row-major, the agent's cell, and optionally the upward wind of each column.
    case grid(rows: Int, columns: Int, cells: [Cell], agent: Int, wind: [Int]?)
    /// A cart at `position` on a track of ±`trackLimit`, its pole at `angle` radians from upright.
    case cartPole(position: Double, angle: Double, trackLimit: Double)
    /// A car at `position` on the curve y = sin(3x), between the bounds, with the flag at `goal`.
    case mountainCar(position: Double, goal: Double, bounds: ClosedRange<Double>)
    /// Two links hanging from a pivot at angles θ1 and θ2 (0 hangs straight down).
    case acrobot(theta1: Double, theta2: Double)
    /// A pendulum at `angle` (0 upright) with the last torque applied, if any.
    case pendulum(angle: Double, torque: Double?)
    /// A bandit's arms and their true values.
    case bandit(trueValues: [Double])
    /// Bit strings: the current state and the goal.
    case bits(current: [Bool], goal: [Bool])
}
