import Foundation
import NN

/// Results/sutton-barto/: a Markdown page per figure (ours beside the book's, the check, a
/// value grid or curves as SVG and CSV) and an index.
public enum SuttonBartoReport {
    /// Writes every figure's files and the index into `folder`.
    public static func write(_ figures: [BookFigure], to folder: URL) throws {
        for figure in figures { try write(figure, to: folder) }
        try writeAtomically(Data(index(figures).utf8), to: folder.appendingPathComponent("index.md"))
    }

    /// What `bench sutton-barto --json` prints.
    public static func json(_ figures: [BookFigure]) -> [String: Any] {
        ["figures": figures.map { f in
            ["id": f.id, "ours": Dictionary(f.ours, uniquingKeysWith: { a, _ in a }),
             "book": Dictionary(f.book.map { ($0.0, $0.1.map { $0 as Any } ?? NSNull()) }, uniquingKeysWith: { a, _ in a }),
             "ok": f.ok, "seconds": f.seconds] as [String: Any]
        }, "total_s": figures.reduce(0) { $0 + $1.seconds }, "machine": Provenance.current.json]
    }

    static func write(_ f: BookFigure, to folder: URL) throws {
        var md = "# \(f.title)\n\nRegenerate: `athanor bench sutton-barto --only \(f.id)`. Book values: `../shared/reference/published.md`.\n\n"
        md += "| quantity | Athanor | book | within \(f.tolerance) |\n|---|---:|---:|---|\n"
        for ((name, ours), (_, book)) in zip(f.ours, f.book) {
            let within = book.map { Swift.abs(ours - $0) <= f.tolerance ? "yes" : "no" } ?? "—"
            md += "| \(name) | \(String(format: "%.3f", ours)) | \(book.map { String(format: "%.3f", $0) } ?? "—") | \(within) |\n"
        }
        md += "\n\(f.claim.isEmpty ? "" : "Check: \(f.claim) — \(f.claimHolds ? "holds" : "does NOT hold").\n")"
        if let grid = f.grid {
            func table(_ cells: [String]) -> String {
                var text = "|" + String(repeating: " |", count: grid.columns) + "\n|" + String(repeating: "---:|", count: grid.columns) + "\n"
                for r in 0..<grid.rows {
                    text += "| " + cells[(r * grid.columns)..<((r + 1) * grid.columns)].joined(separator: " | ") + " |\n"
                }
                return text
            }
            md += "\nAthanor:\n\n" + table(grid.ours.map { String(format: "%.1f", $0) })
            md += "\nThe book (— where not printed):\n\n" + table(grid.book.map { $0.map { String(format: "%.1f", $0) } ?? "—" })
            md += "\n![\(f.id)](\(f.id).svg)\n"
            let svg = svgValueGrid(title: f.title, rows: grid.rows, columns: grid.columns, values: grid.ours)
            try writeAtomically(Data(svg.utf8), to: folder.appendingPathComponent("\(f.id).svg"))
        }
        for note in f.notes { md += "\n\(note)\n" }
        md += String(format: "\nTime: %.2f s.\n", f.seconds)
        if !f.curves.isEmpty {
            md += "\n![\(f.id)](\(f.id).svg)\n"
            let length = f.curves.map(\.values.count).max()!
            var csv = "x," + f.curves.map { "\"\($0.name)\"" }.joined(separator: ",") + "\n"
            for i in 0..<length {
                csv += "\(Int(f.firstX) + i)," + f.curves.map { i < $0.values.count ? String($0.values[i]) : "" }.joined(separator: ",") + "\n"
            }
            try writeAtomically(Data(csv.utf8), to: folder.appendingPathComponent("\(f.id).csv"))
            // Points left of the book's axis are left out (Figure 8.2 starts at episode 2, as the book's).
            let series = f.curves.map { curve in
                let points = curve.values.enumerated().map { (f.firstX + Double($0.offset), $0.element) }
                    .filter { $0.0 >= (f.xRange?.lowerBound ?? -.infinity) }
                return Chart.Series(name: curve.name, x: points.map(\.0), y: points.map(\.1))
            }
            let chart = Chart(title: f.title, xLabel: f.xLabel, yLabel: f.yLabel, series: series, xRange: f.xRange, yRange: f.yRange)
            try writeAtomically(Data(chart.svg().utf8), to: folder.appendingPathComponent("\(f.id).svg"))
        }
        try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("\(f.id).md"))
    }


    static func index(_ figures: [BookFigure]) -> String {
        var md = "# Sutton & Barto (2nd ed.) reproduced\n\n\(Provenance.current.markdown)\n\n"
        md += "| figure | what | agrees with the book | time (s) |\n|---|---|---|---:|\n"
        for f in figures { md += "| [\(f.id)](\(f.id).md) | \(f.title) | \(f.ok ? "yes" : "no") | \(String(format: "%.2f", f.seconds)) |\n" }
        md += String(format: "\nTotal: %.2f s.\n", figures.reduce(0) { $0 + $1.seconds })
        return md
    }
}
