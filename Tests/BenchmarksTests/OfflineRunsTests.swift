import Benchmarks
import Foundation
import Testing

@Suite("bench offline's runs: the dataset each trained on")
struct OfflineRunsTests {
    private func run(_ dataset: String, seed: UInt64, fingerprint: String?, meanReturn: Double?) -> OfflineRun {
        OfflineRun(dataset: dataset, agent: "bc", seed: seed, gradientSteps: 100, wallSeconds: 1.5, evalMean: 200,
                   datasetFingerprint: fingerprint, datasetMeanReturn: meanReturn, machine: fingerprint == nil ? nil : "AMD EPYC (2 cores)")
    }

    @Test func runsKeepTheirDatasetThroughRunsCSVAndOlderFilesStillRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("offline-runs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let runs = [run("replay", seed: 0, fingerprint: "00ab12cd34ef5678", meanReturn: 103.5), run("medium", seed: 1, fingerprint: nil, meanReturn: nil)]
        try OfflineBenchmark.writeRuns(runs, to: folder)
        let back = try OfflineBenchmark.earlierRuns(in: folder)
        #expect(back.map(\.datasetFingerprint) == ["00ab12cd34ef5678", nil] && back.map(\.datasetMeanReturn) == [103.5, nil])
        #expect(back.map(\.machine) == ["AMD EPYC (2 cores)", nil])
        try Data("dataset,agent,seed,gradient_steps,wall_s,eval_mean\nmixed,cql,2,20000,30.5,440.0\n".utf8)
            .write(to: folder.appendingPathComponent("runs.csv"))
        let old = try OfflineBenchmark.earlierRuns(in: folder)
        #expect(old.count == 1 && old[0].evalMean == 440 && old[0].datasetFingerprint == nil)
    }

    @Test func runsOfOneNameOnTwoFilesAreRefused() throws {
        let same = [run("replay", seed: 0, fingerprint: "aa", meanReturn: 103.5), run("replay", seed: 1, fingerprint: "aa", meanReturn: 103.5)]
        #expect(try RecordedDataset.of("replay", in: same) == RecordedDataset(fingerprint: "aa", meanReturn: 103.5))
        #expect(try RecordedDataset.of("mixed", in: same) == nil)
        #expect(throws: BenchmarkError.self) { try RecordedDataset.of("replay", in: same + [run("replay", seed: 2, fingerprint: "bb", meanReturn: 127)]) }
        #expect(throws: BenchmarkError.self) { try RecordedDataset.of("replay", in: same + [run("replay", seed: 2, fingerprint: nil, meanReturn: nil)]) }
    }
}
