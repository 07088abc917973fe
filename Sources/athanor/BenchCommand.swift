import Agents
import ArgumentParser
import Environments
import Foundation
import NN
import RL

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproduce benchmark tables into Results/.",
        subcommands: [SuttonBarto.self, Classic.self]
    )
}

extension Bench {
    struct SuttonBarto: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sutton-barto",
            abstract: "Sutton & Barto's chapter 2–8 figures beside the book's values; writes Results/sutton-barto/."
        )
        @Option(help: "Only these figure ids (comma-separated), e.g. fig2.2,ex6.6.") var only: String?
        @Option(help: "Output folder.") var output = "Results/sutton-barto"
        @Flag(help: "Print one JSON document: {\"figures\": [{\"id\", \"ours\", \"book\", \"ok\"}, …]}.") var json = false

        func run() throws {
            let ids = only.map { $0.split(separator: ",").map(String.init) } ?? SuttonBartoSuite.ids
            if let unknown = ids.first(where: { !SuttonBartoSuite.ids.contains($0) }) {
                throw UserError("unknown figure '\(unknown)'; figures: \(SuttonBartoSuite.ids.joined(separator: ", "))")
            }
            let book = BookEnvironments(
                gridworld5x5: { GridWorld.suttonBarto5x5() }, gridworld4x4: { GridWorld.suttonBarto4x4() },
                gambler: { Gambler() }, testbed: { AnyBandit(GaussianBandit(arms: 10, mean: $0), optimalAction: { $0.optimalAction }) },
                randomWalk: { AnyTabularEnvironment(RandomWalk()) }, randomWalkTruth: RandomWalk().trueValues,
                windy: { AnyTabularEnvironment(GridWorld.windy()) }, cliff: { AnyTabularEnvironment(CliffWalking()) },
                dynaMaze: { AnyTabularEnvironment(GridWorld.dynaMaze()) })
            let folder = URL(fileURLWithPath: output)
            var figures: [BookFigure] = []
            for id in ids {
                log("athanor bench sutton-barto: \(id) …")
                let figure = SuttonBartoSuite.run(id, environments: book)
                figures.append(figure)
                try write(figure, to: folder)
            }
            try writeAtomically(Data(index(figures).utf8), to: folder.appendingPathComponent("index.md"))
            if json {
                try printJSON(["figures": figures.map { f in
                    ["id": f.id, "ours": Dictionary(f.ours, uniquingKeysWith: { a, _ in a }),
                     "book": Dictionary(f.book.map { ($0.0, $0.1.map { $0 as Any } ?? NSNull()) }, uniquingKeysWith: { a, _ in a }), "ok": f.ok, "seconds": f.seconds] as [String: Any]
                }, "total_s": figures.reduce(0) { $0 + $1.seconds }])
            } else {
                for f in figures { print("\(f.ok ? "ok  " : "FAIL") \(f.id.padding(toLength: 7, withPad: " ", startingAt: 0)) \(String(format: "%6.2f s", f.seconds))  \(f.title)") }
                print(String(format: "total %.2f s; tables in %@/", figures.reduce(0) { $0 + $1.seconds }, output))
            }
        }

        func write(_ f: BookFigure, to folder: URL) throws {
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
                    csv += "\(i + 1)," + f.curves.map { i < $0.values.count ? String($0.values[i]) : "" }.joined(separator: ",") + "\n"
                }
                try writeAtomically(Data(csv.utf8), to: folder.appendingPathComponent("\(f.id).csv"))
                let svg = svgLineChart(title: f.title, xLabel: f.xLabel, yLabel: f.yLabel, curves: f.curves)
                try writeAtomically(Data(svg.utf8), to: folder.appendingPathComponent("\(f.id).svg"))
            }
            try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("\(f.id).md"))
        }

        func index(_ figures: [BookFigure]) -> String {
            var md = "# Sutton & Barto (2nd ed.) reproduced\n\n\(Provenance.current.markdown)\n\n"
            md += "| figure | what | agrees with the book | time (s) |\n|---|---|---|---:|\n"
            for f in figures { md += "| [\(f.id)](\(f.id).md) | \(f.title) | \(f.ok ? "yes" : "no") | \(String(format: "%.2f", f.seconds)) |\n" }
            md += String(format: "\nTotal: %.2f s.\n", figures.reduce(0) { $0 + $1.seconds })
            return md
        }
    }
}
