import Agents
import Foundation
import Testing

/// `docs/algorithms/*.md`: one learning note per algorithm family, each naming its agents on an
/// `Agents:` line and giving one `athanor …` command that reproduces its result.
struct LearningNote {
    let file: String
    let agents: [String]
    let command: [String]

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/algorithms")

    static func all() throws -> [LearningNote] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
            .map { name in
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                let lines = text.split(separator: "\n").map(String.init)
                let agents = lines.first { $0.hasPrefix("Agents: ") }.map {
                    $0.dropFirst("Agents: ".count).split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " `")) }
                } ?? []
                let command = lines.first { $0.hasPrefix("athanor ") }.map { $0.split(separator: " ").dropFirst().map(String.init) } ?? []
                return LearningNote(file: name, agents: agents, command: command)
            }
    }
}

@Suite("Learning notes")
struct LearningNotesTests {
    @Test func everyAgentHasItsNote() throws {
        let notes = try LearningNote.all()
        let covered = Set(notes.flatMap(\.agents))
        for id in TabularAgents.ids + BanditExperiments.ids + DeepAgents.ids {
            #expect(covered.contains(id), "no note in docs/algorithms names agent '\(id)' on its Agents: line")
        }
        for note in notes {
            #expect(!note.agents.isEmpty && !note.command.isEmpty, "\(note.file) needs an Agents: line and an athanor command")
        }
    }

    /// Each note's command as written, except that a deep agent trains for 256 steps into a
    /// temporary folder (the full budgets are what `Results/` records; a planning agent's step
    /// costs a whole search, so the smoke run stays short).
    @Test func everyNotesCommandRuns() throws {
        for note in try LearningNote.all() {
            var arguments = note.command
            if let out = arguments.firstIndex(of: "--out"), out + 1 < arguments.count {
                arguments[out + 1] = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-note-\(UUID().uuidString)").path
            }
            if note.agents.contains(where: DeepAgents.ids.contains) {
                arguments += ["--steps", "256"]
                if let episodes = arguments.firstIndex(of: "--eval-episodes"), episodes + 1 < arguments.count {
                    arguments[episodes + 1] = "2"
                } else {
                    arguments += ["--eval-episodes", "2"]
                }
            }
            // A dataset named relative to the repository (the offline note's fixture) from the test's own folder.
            if let data = arguments.firstIndex(of: "--dataset"), data + 1 < arguments.count, !arguments[data + 1].hasPrefix("/") {
                let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                arguments[data + 1] = repository.appendingPathComponent(arguments[data + 1]).path
            }
            let result = try CLI.run(arguments)
            #expect(result.status == 0, "\(note.file): athanor \(arguments.joined(separator: " ")) — \(result.stderr)")
            if let out = arguments.firstIndex(of: "--out") { try? FileManager.default.removeItem(atPath: arguments[out + 1]) }
        }
    }
}
