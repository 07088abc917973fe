import Drawing
import Foundation

/// A line chart as a paper prints it: x and y axes with ticks at round numbers and their labels,
/// a light grid, a legend, and for each series an optional shaded band (an interval across
/// seeds). `svg()` writes it as SVG; `draw(width:height:)` paints it on a `Canvas` (for PNG).
public struct Chart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var x: [Double], y: [Double]
        /// A shaded interval around the line (lower and upper values at each x), if any.
        public var band: (lower: [Double], upper: [Double])?

        public init(name: String, x: [Double], y: [Double], band: (lower: [Double], upper: [Double])? = nil) {
            precondition(x.count == y.count && band.map { $0.lower.count == x.count && $0.upper.count == x.count } ?? true,
                         "a series needs one y (and band) value per x")
            (self.name, self.x, self.y, self.band) = (name, x, y, band)
        }

        /// A curve over x = first, first + 1, … (episodes, bandit steps).
        public init(name: String, values: [Double], firstX: Double = 1) {
            self.init(name: name, x: values.indices.map { firstX + Double($0) }, y: values)
        }
    }

    public var title: String
    public var xLabel: String, yLabel: String
    /// Fixed axis ranges (a book's axes); nil: from the data, widened to round numbers.
    public var xRange: ClosedRange<Double>?, yRange: ClosedRange<Double>?
    public var series: [Series]
    /// A line under the plot saying what the bands are, say.
    public var caption: String?

    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, caption: String? = nil) {
        (self.title, self.xLabel, self.yLabel, self.series, self.xRange, self.yRange, self.caption) =
            (title, xLabel, yLabel, series, xRange, yRange, caption)
    }

    static let palette: [(Int, Int, Int)] = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14),
                                              (148, 103, 189), (140, 86, 75), (227, 119, 194), (23, 190, 207)]

    // MARK: Axes

    /// The axes as drawn: the range and its ticks.
    public struct Axis: Sendable {
        public var range: ClosedRange<Double>
        public var ticks: [Double]
        public var step: Double

        /// Ticks 1, 2, 2.5 or 5 × 10^k apart, about `count` of them; a range from the data is widened to them.
        init(fixed: ClosedRange<Double>?, data: [Double], count: Int = 6) {
            let finite = data.filter(\.isFinite)
            var low = fixed?.lowerBound ?? finite.min() ?? 0, high = fixed?.upperBound ?? finite.max() ?? 1
            if high <= low { (low, high) = (low - 1, high + 1) }
            let raw = (high - low) / Double(count - 1), magnitude = pow(10, (log10(raw)).rounded(.down))
            step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 } ?? 10 * magnitude
            if fixed == nil {
                low = (low / step).rounded(.down) * step
                high = (high / step).rounded(.up) * step
            }
            range = low...high
            var ticks: [Double] = [], index = (low / step - 1e-9).rounded(.up)
            while index * step <= high + step * 1e-9 {
                ticks.append(index == 0 ? 0 : index * step)  // multiples, so no error accumulates
                index += 1
            }
            self.ticks = ticks
        }

        /// A tick's label: 20k, 1.5M for large values; as many decimals as the step needs; a true minus sign.
        public func label(_ value: Double) -> String {
            let largest = Swift.max(abs(range.lowerBound), abs(range.upperBound))
            let (scaled, suffix, scaledStep) = largest >= 1e6 ? (value / 1e6, "M", step / 1e6)
                : largest >= 1e4 ? (value / 1e3, "k", step / 1e3) : (value, "", step)
            let decimals = Swift.max(0, Int((-log10(scaledStep) + 0.999).rounded(.down)))
            let text = value == 0 && !suffix.isEmpty ? "0" : String(format: "%.\(decimals)f", scaled) + suffix
            return text.hasPrefix("-") ? "−" + text.dropFirst() : text
        }
    }

    public var axes: (x: Axis, y: Axis) {
        let xs = series.flatMap(\.x), ys = series.flatMap { $0.y + ($0.band.map { $0.lower + $0.upper } ?? []) }
        return (Axis(fixed: xRange, data: xs), Axis(fixed: yRange, data: ys))
    }

    /// Plot area and legend placement for a picture of the given size.
    struct Layout {
        let width: Double, height: Double
        /// The widest legend entry's text, in pixels.
        let legendWidth: Double
        let left = 72.0, top = 40.0
        var right: Double { width - Swift.min(Swift.max(legendWidth + 60, 120), width / 2) }
        var bottom: Double { height - 58 }
    }

    // MARK: SVG

    public func svg(width: Int = 760, height: Int = 440) -> String {
        // About 7 px a character at 12 px in a sans-serif face.
        let layout = Layout(width: Double(width), height: Double(height), legendWidth: Double(series.map(\.name.count).max() ?? 0) * 7)
        let (xAxis, yAxis) = axes
        func px(_ x: Double) -> Double { layout.left + (x - xAxis.range.lowerBound) / (xAxis.range.upperBound - xAxis.range.lowerBound) * (layout.right - layout.left) }
        func py(_ y: Double) -> Double { layout.bottom - (y - yAxis.range.lowerBound) / (yAxis.range.upperBound - yAxis.range.lowerBound) * (layout.bottom - layout.top) }
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(number(layout.left))" y="24" font-size="14">\(escape(title))</text>
            <defs><clipPath id="plot"><rect x="\(number(layout.left))" y="\(number(layout.top))" width="\(number(layout.right - layout.left))" height="\(number(layout.bottom - layout.top))"/></clipPath></defs>

            """
        // Grid and ticks.
        for tick in xAxis.ticks {
            let x = number(px(tick))
            svg += "<line x1=\"\(x)\" y1=\"\(number(layout.top))\" x2=\"\(x)\" y2=\"\(number(layout.bottom))\" stroke=\"#e5e5e5\"/>"
            svg += "<line x1=\"\(x)\" y1=\"\(number(layout.bottom))\" x2=\"\(x)\" y2=\"\(number(layout.bottom + 5))\" stroke=\"black\"/>"
            svg += "<text x=\"\(x)\" y=\"\(number(layout.bottom + 18))\" text-anchor=\"middle\">\(escape(xAxis.label(tick)))</text>\n"
        }
        for tick in yAxis.ticks {
            let y = number(py(tick))
            svg += "<line x1=\"\(number(layout.left))\" y1=\"\(y)\" x2=\"\(number(layout.right))\" y2=\"\(y)\" stroke=\"#e5e5e5\"/>"
            svg += "<line x1=\"\(number(layout.left - 5))\" y1=\"\(y)\" x2=\"\(number(layout.left))\" y2=\"\(y)\" stroke=\"black\"/>"
            svg += "<text x=\"\(number(layout.left - 8))\" y=\"\(number(py(tick) + 4))\" text-anchor=\"end\">\(escape(yAxis.label(tick)))</text>\n"
        }
        svg += "<rect x=\"\(number(layout.left))\" y=\"\(number(layout.top))\" width=\"\(number(layout.right - layout.left))\" height=\"\(number(layout.bottom - layout.top))\" fill=\"none\" stroke=\"black\"/>\n"
        svg += "<text x=\"\(number((layout.left + layout.right) / 2))\" y=\"\(number(layout.bottom + 38))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        let middle = number((layout.top + layout.bottom) / 2)
        svg += "<text x=\"18\" y=\"\(middle)\" transform=\"rotate(-90 18 \(middle))\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        if let caption { svg += "<text x=\"\(number(layout.left))\" y=\"\(number(layout.height - 6))\" font-size=\"11\" fill=\"#555\">\(escape(caption))</text>\n" }
        // Bands under lines, clipped to the plot.
        for (index, series) in series.enumerated() {
            let (r, g, b) = Self.palette[index % Self.palette.count]
            if let band = series.band {
                let points = zip(series.x, zip(band.lower, band.upper)).filter { $0.0.isFinite && $0.1.0.isFinite && $0.1.1.isFinite }
                let outline = points.map { "\(number(px($0.0))),\(number(py($0.1.1)))" } + points.reversed().map { "\(number(px($0.0))),\(number(py($0.1.0)))" }
                if !outline.isEmpty {
                    svg += "<polygon clip-path=\"url(#plot)\" fill=\"rgb(\(r),\(g),\(b))\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\(outline.joined(separator: " "))\"/>\n"
                }
            }
        }
        for (index, series) in series.enumerated() {
            let (r, g, b) = Self.palette[index % Self.palette.count]
            let points = zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite }.map { "\(number(px($0.0))),\(number(py($0.1)))" }
            svg += "<polyline clip-path=\"url(#plot)\" fill=\"none\" stroke=\"rgb(\(r),\(g),\(b))\" stroke-width=\"1.8\" points=\"\(points.joined(separator: " "))\"/>\n"
            let legendY = layout.top + 8 + 18 * Double(index)
            svg += "<line x1=\"\(number(layout.right + 14))\" y1=\"\(number(legendY))\" x2=\"\(number(layout.right + 36))\" y2=\"\(number(legendY))\" stroke=\"rgb(\(r),\(g),\(b))\" stroke-width=\"2.5\"/>"
            svg += "<text x=\"\(number(layout.right + 42))\" y=\"\(number(legendY + 4))\">\(escape(series.name))</text>\n"
        }
        return svg + "</svg>\n"
    }

    // MARK: Canvas

    /// The chart painted on a canvas, with the canvas's typeface (TrueType where the visualizer
    /// has installed one, the bitmap font otherwise).
    public func draw(width: Int = 760, height: Int = 440) -> Canvas {
        var canvas = Canvas(width: width, height: height)
        let layout = Layout(width: Double(width), height: Double(height),
                            legendWidth: Double(series.map { canvas.textWidth($0.name, size: 12) }.max() ?? 0))
        let (xAxis, yAxis) = axes
        func px(_ x: Double) -> Double { layout.left + (x - xAxis.range.lowerBound) / (xAxis.range.upperBound - xAxis.range.lowerBound) * (layout.right - layout.left) }
        func py(_ y: Double) -> Double { layout.bottom - (y - yAxis.range.lowerBound) / (yAxis.range.upperBound - yAxis.range.lowerBound) * (layout.bottom - layout.top) }
        let grid = Color(229, 229, 229), ink = Color.black
        for tick in xAxis.ticks {
            canvas.line(from: (px(tick), layout.top), to: (px(tick), layout.bottom), thickness: 1, grid)
            canvas.line(from: (px(tick), layout.bottom), to: (px(tick), layout.bottom + 5), thickness: 1, ink)
            canvas.write(xAxis.label(tick), x: px(tick), y: layout.bottom + 8, size: 12, ink, anchor: .middle)
        }
        for tick in yAxis.ticks {
            canvas.line(from: (layout.left, py(tick)), to: (layout.right, py(tick)), thickness: 1, grid)
            canvas.line(from: (layout.left - 5, py(tick)), to: (layout.left, py(tick)), thickness: 1, ink)
            canvas.write(yAxis.label(tick), x: layout.left - 8, y: py(tick) - 7, size: 12, ink, anchor: .end)
        }
        canvas.write(title, x: layout.left, y: 3, size: 14, ink)
        canvas.write(xLabel, x: (layout.left + layout.right) / 2, y: layout.bottom + 26, size: 12, ink, anchor: .middle)
        canvas.write(yLabel, x: 6, y: layout.top - 16, size: 12, ink)  // above the axis (the canvas draws no rotated text)
        if let caption { canvas.write(caption, x: layout.left, y: layout.height - 18, size: 11, Color(85, 85, 85)) }
        let clip = (x: layout.left...layout.right, y: layout.top...layout.bottom)
        func clipped(_ point: (Double, Double)) -> (x: Double, y: Double) {
            (Swift.min(Swift.max(point.0, clip.x.lowerBound), clip.x.upperBound), Swift.min(Swift.max(point.1, clip.y.lowerBound), clip.y.upperBound))
        }
        for (index, series) in series.enumerated() {
            let (r, g, b) = Self.palette[index % Self.palette.count]
            guard let band = series.band else { continue }
            // Bands are x-monotone: fill each pixel column between the interpolated edges.
            let colour = Color(UInt8(r), UInt8(g), UInt8(b))
            for i in series.x.indices.dropLast() where [band.lower[i], band.upper[i], band.lower[i + 1], band.upper[i + 1]].allSatisfy(\.isFinite) {
                let x0 = px(series.x[i]), x1 = px(series.x[i + 1])
                guard x1 > x0 else { continue }
                for column in Int(x0.rounded())..<Int(x1.rounded()) where clip.x.contains(Double(column)) {
                    let t = (Double(column) - x0) / (x1 - x0)
                    let top = py(band.upper[i] + t * (band.upper[i + 1] - band.upper[i]))
                    let bottom = py(band.lower[i] + t * (band.lower[i + 1] - band.lower[i]))
                    let y0 = Int(Swift.max(top, clip.y.lowerBound).rounded()), y1 = Int(Swift.min(bottom, clip.y.upperBound).rounded())
                    if y0 <= y1 { for row in y0...y1 { canvas.blend(x: column, y: row, colour, opacity: 0.18) } }
                }
            }
        }
        for (index, series) in series.enumerated() {
            let (r, g, b) = Self.palette[index % Self.palette.count]
            let colour = Color(UInt8(r), UInt8(g), UInt8(b))
            let points = zip(series.x, series.y).filter { $0.0.isFinite && $0.1.isFinite }.map { (px($0.0), py($0.1)) }
            for (a, b) in zip(points, points.dropFirst()) { canvas.line(from: clipped(a), to: clipped(b), thickness: 2, colour) }
            let legendY = layout.top + 8 + 18 * Double(index)
            canvas.line(from: (layout.right + 14, legendY), to: (layout.right + 36, legendY), thickness: 3, colour)
            canvas.write(series.name, x: layout.right + 42, y: legendY - 7, size: 12, ink)
        }
        let frame = [(layout.left, layout.top), (layout.right, layout.top), (layout.right, layout.bottom), (layout.left, layout.bottom), (layout.left, layout.top)]
        for (a, b) in zip(frame, frame.dropFirst()) { canvas.line(from: a, to: b, thickness: 1, ink) }
        return canvas
    }
}

extension Chart {
    /// Curves of several seeds read at common x values: their mean as the line and mean ± one
    /// standard deviation (across seeds) as the band. A seed counts at x once its curve has a
    /// finite value at or before x.
    public static func seedBand(name: String, runs: [[(x: Double, y: Double)]], at xs: [Double]) -> Series {
        var mean: [Double] = [], lower: [Double] = [], upper: [Double] = []
        for x in xs {
            let values = runs.compactMap { run in run.last(where: { $0.x <= x && $0.y.isFinite })?.y }
            guard !values.isEmpty else { mean.append(.nan); lower.append(.nan); upper.append(.nan); continue }
            let m = values.reduce(0, +) / Double(values.count)
            let sd = values.count > 1 ? (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot() : 0
            mean.append(m); lower.append(m - sd); upper.append(m + sd)
        }
        return Series(name: name, x: xs, y: mean, band: runs.count > 1 ? (lower, upper) : nil)
    }
}
