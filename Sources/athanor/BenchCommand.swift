import ArgumentParser
import Benchmarks
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproduce benchmark tables into Results/.",
        subcommands: [SuttonBarto.self, Classic.self, HER.self, Offline.self, ModelBased.self, LM.self, Sweeps.self]
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
        @OptionGroup var sharding: ShardOptions
        var merge: String? { sharding.merge }

        func validate() throws {
        }

        func run() throws {
            let ids = only.map { $0.split(separator: ",").map(String.init) } ?? SuttonBartoSuite.ids
            if let unknown = ids.first(where: { !SuttonBartoSuite.ids.contains($0) }) {
                throw UserError("unknown figure '\(unknown)'; figures: \(SuttonBartoSuite.ids.joined(separator: ", "))")
            }
            let part = try sharding.part()
            var figures: [BookFigure] = []
            for (place, id) in ids.enumerated() where merge == nil && part.includes(place) {
                log("athanor bench sutton-barto: \(id) …")
                figures.append(SuttonBartoSuite.run(id))
            }
            if let merge {
                figures = ShardRuns.unique(try ShardRuns.read(BookFigure.self, from: ShardRuns.folders(merge), file: "figures.jsonl"), by: \.id)
                    .filter { ids.contains($0.id) }.sorted { (ids.firstIndex(of: $0.id) ?? 0) < (ids.firstIndex(of: $1.id) ?? 0) }
                guard !figures.isEmpty else { throw UserError("--merge: no figures of the chosen ids in \(merge)") }
            }
            try SuttonBartoReport.write(figures, to: URL(fileURLWithPath: output))
            try ShardRuns.write(figures, to: URL(fileURLWithPath: output), file: "figures.jsonl")
            if json {
                try printJSON(SuttonBartoReport.json(figures))
            } else {
                for f in figures { print("\(f.ok ? "ok  " : "FAIL") \(f.id.padding(toLength: 7, withPad: " ", startingAt: 0)) \(String(format: "%6.2f s", f.seconds))  \(f.title)") }
                print(String(format: "total %.2f s; tables in %@/", figures.reduce(0) { $0 + $1.seconds }, output))
            }
        }
    }
}
