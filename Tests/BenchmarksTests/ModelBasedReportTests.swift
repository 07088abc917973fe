import Benchmarks
import Foundation
import Testing

@Suite("The model-based benchmark's report")
struct ModelBasedReportTests {
    private func run(_ agent: String, _ environment: String, seed: UInt64, episodes: [(Int, Double)] = [], evaluations: [(Int, Double)] = []) -> ModelBasedRun {
        ModelBasedRun(agent: agent, environment: environment, seed: seed, steps: 1000, wallSeconds: 1,
                      episodeSteps: episodes.map(\.0), episodeReturns: episodes.map(\.1),
                      evaluationSteps: evaluations.map(\.0), evaluationReturns: evaluations.map(\.1))
    }

    /// Sample efficiency is read off as the first trial or evaluation at the solved return, per seed;
    /// PETS' trials sit beside MBRL-Lib's by trial number, the random trial being trial 0 as in MBRL-Lib.
    @Test func stepsToSolveAndTrialsAreReadFromTheRuns() throws {
        let runs = [
            run("pets", "CartPoleContinuous-v0", seed: 0, episodes: [(20, 20), (220, 200)]),
            run("pets", "CartPoleContinuous-v0", seed: 1, episodes: [(30, 30), (90, 60)]),
            run("sac", "CartPoleContinuous-v0", seed: 0, evaluations: [(500, 100), (1000, 196)]),
        ]
        let report = ModelBasedReport(runs: runs, regime: .reduced, peer: [(seed: 0, trial: 1, reward: 93, planSecondsPerStep: 2.4)],
                                      peerSource: "peer", sgemmGFLOPS: 68, planningRowsPerStep: 37_500)
        let table = report.summaryTable("CartPoleContinuous-v0")
        #expect(table.contains("| pets | 1000 | 200.0, 60.0 |") && table.contains("| 220, not reached |"), "\(table)")
        #expect(table.contains("| sac | 1000 | 196.0 | 196.0 | 1000 | 1.0 |"), "\(table)")
        let trials = try #require(report.petsTable())
        #expect(trials.contains("| 0 (random) | 25 | 20, 30 | 25.0 [20.0, 30.0] | — |"), "\(trials)")
        #expect(trials.contains("| 1 | 155 | 200, 60 | 130.0 [60.0, 200.0] | 93 |"), "\(trials)")
        #expect(trials.contains("Solved (a 200-step trial) by planned trial 5: 1 of 2 seeds"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-mb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try report.write(to: folder)
        let lines = try String(contentsOf: folder.appendingPathComponent("runs.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { (try? JSONDecoder().decode(ModelBasedRun.self, from: Data($0.utf8))) != nil })
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("CartPoleContinuous-v0.svg").path))
    }
}
