import ArgumentParser
import Benchmarks
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproduce benchmark tables into Results/.",
        subcommands: [SuttonBarto.self, Classic.self, HER.self, Offline.self, ModelBased.self, LM.self]
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
            let figures = ids.map { id in
                log("athanor bench sutton-barto: \(id) …")
                return SuttonBartoSuite.run(id)
            }
            try SuttonBartoReport.write(figures, to: URL(fileURLWithPath: output))
            if json {
                try printJSON(SuttonBartoReport.json(figures))
            } else {
                for f in figures { print("\(f.ok ? "ok  " : "FAIL") \(f.id.padding(toLength: 7, withPad: " ", startingAt: 0)) \(String(format: "%6.2f s", f.seconds))  \(f.title)") }
                print(String(format: "total %.2f s; tables in %@/", figures.reduce(0) { $0 + $1.seconds }, output))
            }
        }
    }
}
