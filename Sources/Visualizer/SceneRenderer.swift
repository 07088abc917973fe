@_exported import Drawing
import Foundation

/// A frame as `watch` shows it: the environment's own scene, the agent's action probabilities
/// and value estimate along the bottom (for a deep agent's overlay), and the heads-up line.
public enum SceneRenderer {
    public static func render(_ scene: any Scene, overlay: Overlay? = nil, hud: String? = nil) -> Canvas {
        var canvas = scene.rendered(overlay: overlay)
        if case .policy(let probabilities, let value) = overlay { drawPolicy(&canvas, probabilities, value) }
        if case .trajectory(let predicted, let realised) = overlay { canvas = TrajectoryPanel.appended(to: canvas, predicted: predicted, realised: realised) }
        if let hud { drawHUD(&canvas, hud) }
        return canvas
    }

    /// The heads-up line at the top left, made smaller until it fits a narrow scene.
    static func drawHUD(_ c: inout Canvas, _ text: String) {
        var size = 16
        while size > 8 && c.textWidth(text, size: size) > c.width - 12 { size -= 1 }
        c.write(text, x: 6, y: 6, size: size, .hud)
    }

    /// Action probabilities as bars along the bottom and the value estimate beside them.
    static func drawPolicy(_ c: inout Canvas, _ probabilities: [Double], _ value: Double?) {
        let base = c.height - 12
        for (a, p) in probabilities.enumerated() {
            let h = Int((p * 60).rounded())
            c.fill(x: 10 + a * 26, y: base - h, width: 20, height: h, .estimate)
            c.write("\(a)", x: 20 + Double(a * 26), y: Double(base + 1), size: 10, .black, anchor: .middle)
        }
        if let value { c.write(String(format: "V %.1f", value), x: Double(20 + probabilities.count * 26), y: Double(base - 16), size: 16, .hud) }
    }
}
