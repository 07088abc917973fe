@_exported import Drawing
import Foundation

/// A frame as `watch` shows it: the environment's own scene, the agent's action probabilities
/// and value estimate along the bottom (for a deep agent's overlay), and the heads-up line.
public enum SceneRenderer {
    public static func render(_ scene: any Scene, overlay: Overlay? = nil, hud: String? = nil) -> Canvas {
        var canvas = scene.rendered(overlay: overlay)
        if case .policy(let probabilities, let value) = overlay { drawPolicy(&canvas, probabilities, value) }
        if let hud { canvas.text(hud, x: 6, y: 6, scale: 2, .hud) }
        return canvas
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
