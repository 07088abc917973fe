import Agents
import Foundation
import TensorBoard
import Testing
import Training

private struct WrittenByTensorBoardX: Decodable {
    struct Scalar: Decodable { var tag: String, value: Double, step: Int, wall_time: Double }
    struct Text: Decodable { var tag: String, text: String, step: Int, wall_time: Double }
    var text: Text
    var scalars: [Scalar]
}

private func fixture(_ name: String) throws -> URL {
    let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
    return try #require(Bundle.module.url(forResource: parts[0], withExtension: parts[1], subdirectory: "Fixtures"))
}

private func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-tensorboard-\(UUID().uuidString)-\(name)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("TensorBoard event files")
struct TensorBoardTests {
    @Test func crc32cMatchesItsPublishedCheckValue() {
        // The check value of CRC-32C (RFC 3720, appendix B.4; the "123456789" convention of CRC catalogues).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)  // RFC 3720 B.4: 32 bytes of zeros
    }

    /// Scalars and text written as tensorboardX writes them give its file byte for byte
    /// (scripts/make_tensorboard_fixture.py), so TensorBoard reads ours as it reads its.
    @Test func ourWriterReproducesTensorBoardXsFile() throws {
        let expected = [UInt8](try Data(contentsOf: fixture("tensorboardx.tfevents")))
        let written = try JSONDecoder().decode(WrittenByTensorBoardX.self, from: Data(contentsOf: fixture("tensorboardx.json")))
        let events = try EventRecords.events(in: expected)
        // The first event's wall time is the writer's clock; take it from the file.
        let first = try #require(events.first)
        #expect(first.content == .fileVersion("brain.Event:2"))

        let folder = try temporaryFolder("fixture")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try EventFileWriter(url: folder.appendingPathComponent("events.out.tfevents.1.test"), wallTime: first.wallTime)
        try writer.addText(written.text.tag, written.text.text, step: written.text.step, wallTime: written.text.wall_time)
        for scalar in written.scalars {
            try writer.addScalar(scalar.tag, scalar.value, step: scalar.step, wallTime: scalar.wall_time)
        }
        try writer.close()
        #expect([UInt8](try Data(contentsOf: writer.url)) == expected)

        // And our reader reads tensorboardX's file back to what was written.
        #expect(events.count == 2 + written.scalars.count)
        #expect(events[1].content == .summary([SummaryValue(tag: "hyperparameters/text_summary", value: .text(written.text.text))]))
        for (event, scalar) in zip(events.dropFirst(2), written.scalars) {
            #expect(event.step == Int64(scalar.step) && event.wallTime == scalar.wall_time)
            #expect(event.content == .summary([SummaryValue(tag: scalar.tag, value: .scalar(Float(scalar.value)))]))
        }
    }

    @Test func aCorruptRecordIsAnErrorAndACutShortOneEndsTheFile() throws {
        let bytes = [UInt8](try Data(contentsOf: fixture("tensorboardx.tfevents")))
        let records = try EventRecords.records(in: bytes)
        // Killed mid-write: the records before the cut are read, as TensorBoard reads them.
        #expect(try EventRecords.records(in: Array(bytes.dropLast(5))).count == records.count - 1)
        #expect(try EventRecords.records(in: Array(bytes.prefix(10))).isEmpty)
        var flipped = bytes
        flipped[40] ^= 0x01  // inside the second record's data
        #expect(throws: EventFileError.self) { try EventRecords.records(in: flipped) }
        #expect(EventRecords.validPrefix(of: flipped).count == 1)
        var hugeLength = bytes
        hugeLength.replaceSubrange(0..<8, with: [UInt8](repeating: 0xFF, count: 8))
        #expect(throws: EventFileError.self) { try EventRecords.records(in: hugeLength) }
    }

    @Test func aTrainingRunLogsItsMetricsAsTensorBoardScalars() throws {
        let folder = try temporaryFolder("run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cartPole = EnvironmentReference("CartPole-v1")
        func ppo() throws -> PPO {
            try PPO(environment: cartPole.make(), config: PPOHyperparameters().setting(["n_steps=128", "batch_size=64", "n_epochs=1"]),
                    seed: 3, totalSteps: 512)
        }
        let run = RunDirectory(url: folder.appendingPathComponent("ppo"), environment: cartPole)
        try ppo().learn(totalSteps: 256, run: run)
        let resumed = try PPO.load(from: RunDirectory(url: run.url))
        try resumed.learn(run: RunDirectory(url: run.url))

        let files = EventFileWriter.files(in: run.url)
        #expect(files.count == 1)
        let events = try EventRecords.events(in: [UInt8](Data(contentsOf: try #require(files.first))))
        var scalars: [String: [(step: Int64, value: Float)]] = [:], texts: [String] = []
        for event in events {
            guard case .summary(let values) = event.content else { continue }
            for value in values {
                switch value.value {
                case .scalar(let number): scalars[value.tag, default: []].append((event.step, number))
                case .text(let text): texts.append(text)
                }
            }
        }
        // The hyper-parameters once, as CleanRL's table; every metrics.csv column once per iteration,
        // steps growing across the resumption; episodes under CleanRL's tags.
        #expect(texts.count == 1 && texts[0].hasPrefix("|param|value|\n|-|-|\n|agent|ppo|") && texts[0].contains("|n_steps|128|"))
        let table = MetricsCSV(try String(contentsOf: run.metricsCSVURL, encoding: .utf8))
        let columns = try #require(table.header).split(separator: ",").map(String.init)
        #expect(columns.contains("losses/value_loss") && columns.contains("charts/learning_rate"))
        for (index, column) in columns.enumerated().dropFirst(2) {
            // What the CSV holds (an empty field, not finite, is not logged).
            let expected = table.rows.compactMap { row in
                Double(row.line.split(separator: ",", omittingEmptySubsequences: false)[index]).map { (Int64(row.steps), Float($0)) }
            }
            let logged = scalars[column] ?? []
            #expect(logged.map(\.step) == expected.map(\.0) && logged.map(\.value) == expected.map(\.1), "\(column)")
        }
        #expect(scalars["charts/SPS"]?.count == table.rows.count)
        let returns = try #require(scalars["charts/episodic_return"])
        #expect(!returns.isEmpty && returns.count == scalars["charts/episodic_length"]?.count)
        #expect(zip(returns, returns.dropFirst()).allSatisfy { $0.step <= $1.step })
    }
}
