import Datasets
import Environments
import Foundation
import RL
import Random
import Testing

private let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

private func temporaryFolder() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("athanor-datasets-\(UUID().uuidString)")
}

/// What scripts/make_minari_fixture.py recorded from minari.MinariDataset.
private struct MinariExpected: Decodable {
    struct Task: Decodable {
        struct Episode: Decodable { let observations: [[Double]], actions: [Double]?, rewards: [Double], terminations: [Double], truncations: [Double] }
        let env_id: String, total_steps: Int, episodes: [Episode]
    }
    let cartpole: Task
}

@Suite("Offline datasets: Minari's layout, D4RL's arrays, collect, info, mix")
struct DatasetTests {
    /// A dataset Minari itself wrote reads back transition for transition: the observations of
    /// each episode (T + 1 rows) become observation and next observation, the flags stay apart.
    @Test func aDatasetWrittenByMinariReadsAsMinariReadsIt() throws {
        let expected = try JSONDecoder().decode(MinariExpected.self, from: Data(contentsOf: fixtures.appendingPathComponent("minari_expected.json")))
        let dataset = try MinariFormat.read(fixtures.appendingPathComponent("minari-cartpole"))
        #expect(dataset.count == expected.cartpole.total_steps && dataset.environmentID == "CartPole-v1")
        #expect(dataset.discreteActions == 2 && dataset.observationSize == 4)
        var row = 0
        for episode in expected.cartpole.episodes {
            for t in 0..<episode.rewards.count {
                #expect(Array(dataset.observation(row)) == episode.observations[t].map(Float.init))
                #expect(Array(dataset.nextObservation(row)) == episode.observations[t + 1].map(Float.init))
                #expect(dataset.actions[row] == Float(episode.actions?[t] ?? -1) && Double(dataset.rewards[row]) == episode.rewards[t])
                #expect(dataset.terminations[row] == (episode.terminations[t] == 1) && dataset.truncations[row] == (episode.truncations[t] == 1))
                row += 1
            }
        }
        #expect(dataset.episodes.count == expected.cartpole.episodes.count)
        let pendulum = try MinariFormat.read(fixtures.appendingPathComponent("minari-pendulum"))
        #expect(pendulum.discreteActions == nil && pendulum.actionSize == 1 && pendulum.count == 180 && pendulum.truncations.filter { $0 }.count == 3)
    }

    /// Ours round-trips: collected, written in Minari's layout (atomically), read back equal.
    @Test func aCollectedDatasetRoundTripsThroughMinarisLayout() throws {
        let environment = try environments.make("Pendulum-v1")
        var generator = RandomGenerator(seed: 3)
        let dataset = try OfflineDataset.collect(on: environment, episodes: 2, seed: 9, environmentID: "Pendulum-v1") { _ in
            [Float(generator.nextUniformDouble() * 4 - 2)]
        }
        #expect(dataset.count == 400 && dataset.truncations.filter { $0 }.count == 2 && !dataset.terminations.contains(true))
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try MinariFormat.write(dataset, to: folder, datasetID: "athanor/pendulum-test-v0", observationBounds: ([-1, -1, -8], [1, 1, 8]),
                               actionBounds: ([-2], [2]))
        let back = try MinariFormat.read(folder)
        #expect(back == dataset)
        // The fingerprint is the data's, not the file's; one changed reward changes it.
        #expect(back.fingerprint == dataset.fingerprint && dataset.fingerprint.count == 16)
        let other = try OfflineDataset.collect(on: environment, episodes: 2, seed: 10, environmentID: "Pendulum-v1") { _ in [0] }
        #expect(other.fingerprint != dataset.fingerprint)
        // Writing over an existing dataset is refused; a bad id too; nothing is left half-written.
        #expect(throws: DatasetError.self) {
            try MinariFormat.write(dataset, to: folder, datasetID: "athanor/pendulum-test-v0", observationBounds: ([-1], [1]), actionBounds: nil)
        }
        let elsewhere = temporaryFolder()
        #expect(throws: DatasetError.self) {
            try MinariFormat.write(dataset, to: elsewhere, datasetID: "no version", observationBounds: ([-1], [1]), actionBounds: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: elsewhere.path))
    }

    /// D4RL's arrays, deflated or stored: next observations follow within an episode, none after a time-out.
    @Test(arguments: ["d4rl_compressed.npz", "d4rl_stored.npz"])
    func d4rlArraysRead(file: String) throws {
        let expected = try JSONDecoder().decode([String: [Double]].self, from: Data(contentsOf: fixtures.appendingPathComponent("d4rl_expected.json")))
        let dataset = try OfflineDataset.read(npz: fixtures.appendingPathComponent(file))
        #expect(dataset.count == 23 && dataset.observationSize == 4 && dataset.discreteActions == 2)
        #expect(dataset.observations == expected["observations"]!.map(Float.init))
        #expect(dataset.actions == expected["actions"]!.map(Float.init))
        #expect(dataset.terminations[7] && dataset.truncations[15] && dataset.truncations[22], "the data's end closes an episode")
        #expect(Array(dataset.nextObservation(3)) == Array(dataset.observation(4)))
        #expect(!dataset.hasNextObservation[15] && !dataset.hasNextObservation[22] && dataset.hasNextObservation[7])
        #expect(dataset.episodes == [0..<8, 8..<16, 16..<23])
        #expect(dataset.bootstrappable.count == 21)
    }

    /// Cut, corrupt or foreign files give one error naming the problem, never a crash.
    @Test func brokenFilesAreRefusedWithOneLine() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try Data(contentsOf: fixtures.appendingPathComponent("d4rl_compressed.npz"))
        for (name, bytes) in [("cut.npz", good.prefix(good.count / 2)), ("flipped.npz", Data(good.enumerated().map { $0.offset == 200 ? $0.element ^ 0xff : $0.element })),
                              ("text.npz", Data("not a zip".utf8))] {
            let url = folder.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            #expect(throws: DatasetError.self, "\(name)") { _ = try OfflineDataset.read(npz: url) }
        }
        // A Minari folder whose HDF5 file is cut short, or whose metadata is missing.
        let minari = folder.appendingPathComponent("cut-minari/data")
        try FileManager.default.createDirectory(at: minari, withIntermediateDirectories: true)
        let source = fixtures.appendingPathComponent("minari-cartpole/data")
        try FileManager.default.copyItem(at: source.appendingPathComponent("metadata.json"), to: minari.appendingPathComponent("metadata.json"))
        let hdf5 = try Data(contentsOf: source.appendingPathComponent("main_data.hdf5"))
        try hdf5.prefix(hdf5.count / 3).write(to: minari.appendingPathComponent("main_data.hdf5"))
        #expect(throws: DatasetError.self) { _ = try MinariFormat.read(folder.appendingPathComponent("cut-minari")) }
        #expect(throws: DatasetError.self) { _ = try MinariFormat.read(folder) }
        // Observations of the wrong size for the environment.
        let pendulum = try MinariFormat.read(fixtures.appendingPathComponent("minari-pendulum"))
        #expect(throws: DatasetError.self) { try pendulum.check(against: environments.make("CartPole-v1"), id: "CartPole-v1") }
        do {
            try pendulum.check(against: environments.make("CartPole-v1"), id: "CartPole-v1")
        } catch {
            #expect("\(error)" == "dataset does not fit: its observations have 3 numbers, CartPole-v1's have 4")
        }
    }

    /// The literature's "mixed" data: whole episodes of each part, the last one cut and truncated.
    @Test func mixingTakesWholeEpisodesInTurn() throws {
        let a = try OfflineDataset.read(npz: fixtures.appendingPathComponent("d4rl_compressed.npz"))
        let b = try MinariFormat.read(fixtures.appendingPathComponent("minari-cartpole"))
        let mixed = try OfflineDataset.mix([(a, 10), (b, 9)])
        #expect(mixed.count == 19 && mixed.truncations[9] && mixed.terminations[18])
        #expect(Array(mixed.observation(10)) == Array(b.observation(0)))
        let summary = DatasetSummary(mixed)
        #expect(summary.transitions == 19 && summary.episodes == 3 && summary.actionHistogram.reduce(0, +) == 19)
        #expect(throws: DatasetError.self) { _ = try OfflineDataset.mix([(a, 10), (try MinariFormat.read(fixtures.appendingPathComponent("minari-pendulum")), 5)]) }
    }
}
