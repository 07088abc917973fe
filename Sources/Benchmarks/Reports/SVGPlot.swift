import Foundation

/// A line chart as SVG text: one polyline per curve over x = 1, 2, …, axes with end labels, a legend.
func svgLineChart(title: String, xLabel: String, yLabel: String, curves: [(name: String, values: [Double])]) -> String {
    let (width, height, left, right, top, bottom) = (720.0, 420.0, 70.0, 180.0, 40.0, 50.0)
    let all = curves.flatMap(\.values).filter(\.isFinite)
    guard let low = all.min(), let high = all.max(), let length = curves.map(\.values.count).max(), length > 1 else { return "" }
    let span = high - low == 0 ? 1 : high - low
    func x(_ i: Int) -> Double { left + Double(i) / Double(length - 1) * (width - left - right) }
    func y(_ v: Double) -> Double { top + (1 - (v - low) / span) * (height - top - bottom) }
    let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"]
    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
    var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="22" font-size="14">\(escape(title))</text>
        <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
        <text x="\(left - 6)" y="\(top + 4)" text-anchor="end">\(String(format: "%.3g", high))</text>
        <text x="\(left - 6)" y="\(height - bottom + 4)" text-anchor="end">\(String(format: "%.3g", low))</text>
        <text x="\(left)" y="\(height - bottom + 18)">1</text>
        <text x="\(width - right)" y="\(height - bottom + 18)" text-anchor="end">\(length)</text>
        <text x="\((left + width - right) / 2)" y="\(height - 12)" text-anchor="middle">\(escape(xLabel))</text>
        <text x="16" y="\((top + height - bottom) / 2)" transform="rotate(-90 16 \((top + height - bottom) / 2))" text-anchor="middle">\(escape(yLabel))</text>

        """
    for (index, curve) in curves.enumerated() {
        let colour = colours[index % colours.count]
        let points = curve.values.enumerated().filter { $0.element.isFinite }
            .map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
        let legendY = top + 16 * Double(index)
        svg += "<line x1=\"\(width - right + 10)\" y1=\"\(legendY)\" x2=\"\(width - right + 30)\" y2=\"\(legendY)\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
        svg += "<text x=\"\(width - right + 35)\" y=\"\(legendY + 4)\">\(escape(curve.name))</text>\n"
    }
    return svg + "</svg>\n"
}

/// A value table drawn as its grid: each cell shaded from low (white) to high (blue), value printed.
func svgValueGrid(title: String, rows: Int, columns: Int, values: [Double]) -> String {
    let cell = 64.0, top = 40.0, left = 20.0
    let low = values.min() ?? 0, high = values.max() ?? 1, span = high - low == 0 ? 1 : high - low
    var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(left * 2 + cell * Double(columns)))" height="\(Int(top + 20 + cell * Double(rows)))" font-family="sans-serif" font-size="13">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="24" font-size="13">\(title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</text>

        """
    for r in 0..<rows {
        for c in 0..<columns {
            let v = values[r * columns + c]
            let shade = Int(255 - 180 * (v - low) / span)
            let (x, y) = (left + Double(c) * cell, top + Double(r) * cell)
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"black\"/>"
            svg += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 5)\" text-anchor=\"middle\">\(String(format: "%.1f", v))</text>\n"
        }
    }
    return svg + "</svg>\n"
}
