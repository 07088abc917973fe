import Benchmarks
import Foundation
import Testing

@Suite("The model-based benchmark's report")
struct ModelBasedReportTests {
    private func run(_ agent: String, _ environment: String, seed: UInt64, episodes: [(Int, Double)] = [], evaluations: [(Int, Double)] = [],
                     finishedEpisodesOnly: Bool? = true) -> ModelBasedRun {
        ModelBasedRun(agent: agent, environment: environment, seed: seed, steps: 1000, wallSeconds: 1,
                      episodeSteps: episodes.map(\.0), episodeReturns: episodes.map(\.1),
                      evaluationSteps: evaluations.map(\.0), evaluationReturns: evaluations.map(\.1), finishedEpisodesOnly: finishedEpisodesOnly)
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

    /// In runs recorded before PETS left it out, the step budget's cut of the last trial is an episode; its return says
    /// nothing about the planner, so the per-trial table, the curve and "steps to" leave it out and name it. A last
    /// trial of full length stays, and so does a short one in a newer run, where it is a trial that really ended.
    @Test func aTrialCutShortByTheBudgetIsLeftOut() throws {
        let runs = [
            run("pets", "CartPoleContinuous-v0", seed: 0, episodes: [(20, 20), (220, 200), (420, 200), (620, 200), (820, 200), (1000, 180)],
                finishedEpisodesOnly: nil),
            run("pets", "CartPoleContinuous-v0", seed: 1, episodes: [(30, 30), (200, 170), (400, 200), (600, 200), (800, 200), (1000, 200)],
                finishedEpisodesOnly: nil),
        ]
        let report = ModelBasedReport(runs: runs, regime: .reduced, peer: [], peerSource: "", sgemmGFLOPS: nil, planningRowsPerStep: nil)
        let trials = try #require(report.petsTable())
        #expect(trials.contains("| 4 | 810 | 200, 200 |") && trials.contains("| 5 | 1000 | 200 | 200.0 |") && !trials.contains("180, 200"), "\(trials)")
        #expect(trials.contains("Left out: the last trial of a seed when the 1000-step budget cut it short of 200 steps — 180 (seed 0)."), "\(trials)")
        let line = try #require(report.chart("CartPoleContinuous-v0").series.first)
        #expect(line.x.count == 5 && line.y.last == 200, "the curve stops at the last trial every seed finished: \(line.y)")
        let newer = run("pets", "CartPoleContinuous-v0", seed: 0, episodes: [(20, 20), (220, 200), (420, 200), (620, 200), (820, 200), (1000, 180)])
        let kept = try #require(ModelBasedReport(runs: [newer], regime: .reduced, peer: [], peerSource: "", sgemmGFLOPS: nil,
                                                 planningRowsPerStep: nil).petsTable())
        #expect(kept.contains("| 5 | 1000 | 180 |") && !kept.contains("Left out"), "a newer run's short last trial terminated: \(kept)")
    }

    /// MBPO meets its target when its final evaluations, paired seed for seed with SAC's on the same starts, are not
    /// measurably below SAC's (the paired difference's bootstrap interval reaches 0), on ≥ 3 seeds, with ≤ 1/5 of the steps.
    @Test func mbpoIsComparedWithSACSeedBySeed() throws {
        func pendulum(_ agent: String, _ seed: UInt64, steps: Int, _ returns: [Double]) -> ModelBasedRun {
            ModelBasedRun(agent: agent, environment: "Pendulum-v1", seed: seed, steps: steps, wallSeconds: 1, episodeSteps: [], episodeReturns: [],
                          evaluationSteps: returns.indices.map { ($0 + 1) * steps / returns.count }, evaluationReturns: returns)
        }
        let sac = [pendulum("sac", 0, steps: 20_000, [-900, -140]), pendulum("sac", 1, steps: 20_000, [-700, -160]),
                   pendulum("sac", 2, steps: 20_000, [-800, -150])]
        func report(_ mbpo: [ModelBasedRun], _ sac: [ModelBasedRun]) throws -> String {
            try #require(ModelBasedReport(runs: sac + mbpo, regime: .reduced, peer: [], peerSource: "", sgemmGFLOPS: nil, planningRowsPerStep: nil)
                .mbpoAgainstSAC("Pendulum-v1"))
        }
        let close = try report([pendulum("mbpo", 0, steps: 4000, [-130, -138]), pendulum("mbpo", 1, steps: 4000, [-150, -162]),
                                pendulum("mbpo", 2, steps: 4000, [-150, -151])], sac)
        #expect(close.contains("| 0 | −138.0 | −140.0 | 2.0 |") && close.contains("| mean | −150.3 | −150.0 | −0.3 [") && close.contains("is met (at SAC's level"),
                "\(close)")
        let below = try report([pendulum("mbpo", 0, steps: 4000, [-100, -145]), pendulum("mbpo", 1, steps: 4000, [-100, -165]),
                                pendulum("mbpo", 2, steps: 4000, [-100, -155])], sac)
        #expect(below.contains("[−5.0, −5.0]") && below.contains("is not met."), "below on every seed; the final evaluation counts, not the best: \(below)")
        let tooManySteps = try report((0..<3).map { pendulum("mbpo", $0, steps: 8000, [-130]) }, sac)
        #expect(tooManySteps.contains("40 % of SAC's real steps") && tooManySteps.contains("is not met."))
        let twoSeeds = try report((0..<2).map { pendulum("mbpo", $0, steps: 4000, [-130]) }, sac)
        #expect(twoSeeds.contains("is not met."), "three seeds at least")
        #expect(ModelBasedReport(runs: sac, regime: .reduced, peer: [], peerSource: "", sgemmGFLOPS: nil, planningRowsPerStep: nil)
            .mbpoAgainstSAC("Pendulum-v1") == nil)
    }
}
