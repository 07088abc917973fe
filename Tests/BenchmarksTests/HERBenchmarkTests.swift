import Benchmarks
import Foundation
import Testing

@Suite("bench her")
struct HERBenchmarkTests {
    /// A small cell runs end to end, and the report puts the peer's runs of the same budget beside ours.
    @Test func aSmallRunIsReportedBesideThePeer() throws {
        let ours = try HERBenchmark.run(bits: 4, her: true, seed: 0, steps: 3000)
        #expect(ours.bits == 4 && ours.her && ours.steps == 3000 && (0...1).contains(ours.success) && ours.wallSeconds > 0)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-her-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let peerFile = folder.appendingPathComponent("peer.jsonl")
        try """
            {"n": 4, "steps": 3000, "seed": 0, "mode": "her", "learn_s": 9.0, "ms_per_step": 3.0, "success": 0.5}
            {"n": 4, "steps": 3000, "seed": 1, "mode": "her", "learn_s": 12.0, "ms_per_step": 4.0, "success": 1.0}
            not json
            """.write(to: peerFile, atomically: true, encoding: .utf8)
        let peer = HERBenchmark.peerRuns(peerFile)
        #expect(peer.count == 2 && peer.allSatisfy(\.her))
        let report = HERReport(runs: [ours], peer: peer, peerSource: "test")
        let table = report.markdownTable()
        #expect(table.contains("| 4 | + HER | 3000 |") && table.contains("0.50, 1.00 | 3.50 |"), "\(table)")
        try report.write(to: folder.appendingPathComponent("her"))
        for file in ["index.md", "runs.csv", "her.svg"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("her/\(file)").path), "\(file)")
        }
    }
}
