/// What an environment looks like right now. Each environment describes and draws its own
/// scene (Gymnasium's `render()`), in its own folder, so a new environment needs nothing here
/// or in the visualizer; the visualizer adds the window, the heads-up line and the agent's
/// action probabilities around whatever the scene draws. Pixel y grows downwards.
public protocol Scene: Sendable {
    /// The canvas size the scene is drawn at (Gymnasium's, where it has one).
    var size: (width: Int, height: Int) { get }
    /// Draws the scene, and the parts of `overlay` that belong on it (a value heatmap on a
    /// grid, estimates beside a bandit's arms); overlays a scene cannot show are ignored.
    func draw(on canvas: inout Canvas, overlay: Overlay?)
}

/// What an agent thinks, drawn over the scene.
public enum Overlay: Sendable {
    /// A tabular agent: V(s) per state, and its greedy action per state (a grid scene draws them
    /// as a heatmap and arrows along each action's move).
    case tabular(values: [Double], policy: [Int]?)
    /// A deep agent: π(·|s) and, if it has a critic, V(s) (the visualizer draws these).
    case policy(probabilities: [Double], value: Double?)
    /// A bandit agent: estimated arm values, optional upper confidence bounds, pull counts.
    case bandit(estimates: [Double], upperBounds: [Double]?, counts: [Int])
    /// A planning agent: the states its model predicts along its current plan (the first row is now)
    /// and the real states of the steps just taken (the last row is now), one column per observation number.
    case trajectory(predicted: [[Double]], realised: [[Double]])
}

extension Scene {
    /// The scene alone on a canvas of its size.
    public func rendered(overlay: Overlay? = nil) -> Canvas {
        var canvas = Canvas(width: size.width, height: size.height)
        draw(on: &canvas, overlay: overlay)
        return canvas
    }
}

/// A scene with nothing to draw (an environment without a picture).
public struct BlankScene: Scene {
    public init() {}
    public var size: (width: Int, height: Int) { (320, 120) }
    public func draw(on canvas: inout Canvas, overlay: Overlay?) {}
}
