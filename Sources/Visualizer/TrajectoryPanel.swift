import Drawing

/// A planning agent's view under the scene: one small plot per observation number (at most four),
/// the real values of the last steps up to now (black, left of the centre line) and the values the
/// model predicts along the current plan from now on (orange, right of it). Where the model is
/// right, the orange line continues the black one — and the next frames' black line follows it.
enum TrajectoryPanel {
    static let height = 120

    static func appended(to scene: Canvas, predicted: [[Double]], realised: [[Double]]) -> Canvas {
        let dimensions = Swift.min(4, predicted.first?.count ?? realised.first?.count ?? 0)
        guard dimensions > 0 else { return scene }
        var canvas = Canvas(width: scene.width, height: scene.height + height)
        for y in 0..<scene.height { for x in 0..<scene.width { canvas[x, y] = scene[x, y] } }
        let horizon = Swift.max(predicted.count - 1, realised.count - 1, 1)
        let plotWidth = (scene.width - 10) / dimensions
        for d in 0..<dimensions {
            let left = 5 + d * plotWidth, top = scene.height + 18, plotHeight = height - 28, width = plotWidth - 10
            let values = (predicted + realised).compactMap { d < $0.count && $0[d].isFinite ? $0[d] : nil }
            guard let low = values.min(), let high = values.max() else { continue }
            let span = Swift.max(high - low, 1e-6)
            func point(_ offset: Int, _ value: Double) -> (x: Double, y: Double) {
                (Double(left) + Double(width) * (Double(offset + horizon) / Double(2 * horizon)),
                 Double(top) + Double(plotHeight) * (1 - (value - low) / span))
            }
            canvas.fill(x: left, y: top, width: width, height: plotHeight, Color(245, 245, 245))
            canvas.fill(x: left + width / 2, y: top, width: 1, height: plotHeight, .grid)  // now
            canvas.write("s[\(d)]", x: Double(left), y: Double(top - 16), size: 12, .hud)
            func polyline(_ rows: [[Double]], first: Int, _ color: Color) {
                for k in rows.indices.dropFirst() where d < rows[k].count && d < rows[k - 1].count {
                    canvas.line(from: point(first + k - 1, rows[k - 1][d]), to: point(first + k, rows[k][d]), thickness: 2, color)
                }
            }
            polyline(realised, first: -(realised.count - 1), .black)
            polyline(predicted, first: 0, .estimate)
        }
        return canvas
    }
}
