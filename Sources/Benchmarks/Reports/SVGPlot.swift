import Foundation

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
