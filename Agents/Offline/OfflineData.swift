import Datasets
import Foundation
import RL
import Tensor

/// A dataset as offline agents train on it: loaded from its file, checked against the
/// environment that evaluates the policy, sampled in uniform minibatches, and fingerprinted so
/// that a checkpoint refuses to resume on different data.
public struct OfflineData {
    public let dataset: OfflineDataset
    /// Rows a temporal-difference learner may sample (those with a next observation).
    let bootstrappable: [Int]

    /// A Minari dataset folder, or a D4RL-style `.npz` file.
    public static func load(_ path: String) throws -> OfflineDataset {
        guard !path.isEmpty else { throw TrainingError.unsupported("an offline agent needs dataset=PATH (a Minari folder or a .npz file)") }
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw TrainingError.unsupported("dataset \(path) does not exist")
        }
        return isFolder.boolValue ? try MinariFormat.read(url) : try OfflineDataset.read(npz: url)
    }

    public init(path: String, environment: any DynamicEnvironment) throws {
        let dataset = try Self.load(path)
        try dataset.check(against: environment, id: "the environment")
        guard dataset.count > 0 else { throw TrainingError.unsupported("dataset \(path) holds no transitions") }
        self.dataset = dataset
        bootstrappable = dataset.bootstrappable
    }

    /// A minibatch of `size` rows drawn uniformly (with replacement) from all transitions, or from
    /// those with a next observation when `bootstrapping`.
    /// Refuses data with no transition a temporal-difference learner can use (every one a time-out without its next observation).
    func requireBootstrappable() throws {
        guard !bootstrappable.isEmpty else {
            throw TrainingError.unsupported("the dataset has no transition with a next observation (all are time-outs): Q-learning cannot use it")
        }
    }

    public func batch(_ size: Int, bootstrapping: Bool, using generator: inout RandomGenerator) -> ReplayBatch {
        let rows = (0..<size).map { _ in
            bootstrapping ? bootstrappable[generator.nextInt(below: bootstrappable.count)] : generator.nextInt(below: dataset.count)
        }
        return ReplayBatch(observations: gatherRows(dataset.observations, width: dataset.observationSize, rows),
                           nextObservations: gatherRows(dataset.nextObservations, width: dataset.observationSize, rows),
                           actions: gatherRows(dataset.actions, width: dataset.actionSize, rows),
                           rewards: rows.map { dataset.rewards[$0] }, terminated: rows.map { dataset.terminations[$0] ? 1 : 0 })
    }

    /// FNV-1a over the transitions' bits: equal data, equal fingerprint.
    public var fingerprint: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ values: [Float]) { for v in values { hash = (hash ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 } }
        mix(dataset.observations); mix(dataset.actions); mix(dataset.rewards); mix(dataset.nextObservations)
        mix(dataset.terminations.map { $0 ? 1 : 0 }); mix(dataset.truncations.map { $0 ? 1 : 0 })
        return String(hash, radix: 16)
    }
}

/// What offline agents save beside their networks: the gradient steps done, the generator and
/// the dataset's fingerprint.
struct OfflineProgress: Codable {
    var stepsDone: Int
    var generator: RandomGenerator
    var datasetFingerprint: String
}

extension CheckpointBuilder {
    mutating func addOfflineProgress(stepsDone: Int, generator: RandomGenerator, data: OfflineData) throws {
        try add(json: OfflineProgress(stepsDone: stepsDone, generator: generator, datasetFingerprint: data.fingerprint), as: "progress")
    }
}

extension CheckpointReader {
    func loadOfflineProgress(data: OfflineData) throws -> (stepsDone: Int, generator: RandomGenerator) {
        let progress = try json(OfflineProgress.self, "progress")
        _ = try count(progress.stepsDone, "progress.steps_done")
        guard progress.datasetFingerprint == data.fingerprint else {
            throw TrainingError.checkpoint("it was trained on other data than the dataset now at that path")
        }
        return (progress.stepsDone, progress.generator)
    }
}

/// Offline agents take a fixed number of gradient steps per `iterate` (d3rlpy logs per epoch; a
/// hundred steps keep the metrics file small and the loop's overhead negligible).
let offlineUpdatesPerIteration = 100
