import Foundation

/// Minari's on-disk layout (Farama's standard for offline RL datasets, format "hdf5"): a folder
/// `data/` holding `metadata.json` (spaces serialised as JSON strings, counts, the dataset id and
/// the Minari version) and `main_data.hdf5`, one group `episode_i` per episode with
/// `observations` (T + 1 rows: the last is where the episode ended), `actions`, `rewards`,
/// `terminations` and `truncations` (T rows each). `minari.load_dataset` reads what we write
/// and we read what Minari writes (Tests/DatasetsTests, fixture by scripts/make_minari_fixture.py).
public enum MinariFormat {
    /// The Minari version whose layout we write (one of those Minari 0.4–0.5 reads).
    public static let version = "0.5.4"
    /// At most this many numbers in one array: beyond it a file is refused rather than read.
    static let valueLimit = 1 << 31

    /// The `data/` folder of a dataset folder (or the folder itself if it holds `metadata.json`).
    static func dataFolder(_ url: URL) -> URL {
        FileManager.default.fileExists(atPath: url.appendingPathComponent("metadata.json").path) ? url : url.appendingPathComponent("data")
    }

    // MARK: Reading

    public static func read(_ url: URL) throws -> OfflineDataset {
        let folder = dataFolder(url)
        let metadataURL = folder.appendingPathComponent("metadata.json")
        guard let data = FileManager.default.contents(atPath: metadataURL.path) else {
            throw DatasetError.malformed("\(url.path) is not a Minari dataset (no data/metadata.json)")
        }
        guard let metadata = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw DatasetError.malformed("\(metadataURL.path) is not a JSON object")
        }
        guard (metadata["data_format"] as? String ?? "hdf5") == "hdf5" else {
            throw DatasetError.unsupported("Minari data_format '\(metadata["data_format"] ?? "")' (only hdf5)")
        }
        let observationSpace = try space(metadata["observation_space"], "observation_space")
        let actionSpace = try space(metadata["action_space"], "action_space")
        guard observationSpace.type == "Box" else { throw DatasetError.unsupported("observation space \(observationSpace.type) (only Box)") }
        let observationSize = observationSpace.size
        let discrete = actionSpace.type == "Discrete" ? actionSpace.n : nil
        guard actionSpace.type == "Box" || discrete != nil else { throw DatasetError.unsupported("action space \(actionSpace.type)") }
        let actionSize = discrete == nil ? actionSpace.size : 1
        guard let episodes = metadata["total_episodes"] as? Int, episodes >= 0 else {
            throw DatasetError.malformed("\(metadataURL.path) has no total_episodes")
        }
        let file = try HDF5Object.open(file: folder.appendingPathComponent("main_data.hdf5"))
        var o: [Float] = [], a: [Float] = [], r: [Float] = [], n: [Float] = [], te: [Bool] = [], tr: [Bool] = []
        for e in 0..<episodes {
            let group = try file.group("episode_\(e)")
            let observations = try group.readFloats("observations", limit: valueLimit)
            let steps = (try group.readFloats("rewards", limit: valueLimit)).values
            let actions = try group.readFloats("actions", limit: valueLimit).values
            let terminations = try group.readBools("terminations", limit: valueLimit)
            let truncations = try group.readBools("truncations", limit: valueLimit)
            let t = steps.count
            guard observations.values.count == (t + 1) * observationSize, actions.count == t * actionSize,
                  terminations.count == t, truncations.count == t else {
                throw DatasetError.malformed("episode_\(e): \(t) rewards but observations \(observations.shape), "
                                             + "\(actions.count) action values, \(terminations.count) terminations")
            }
            guard t > 0 else { continue }
            o += observations.values.prefix(t * observationSize)
            n += observations.values.dropFirst(observationSize)
            a += actions
            r += steps
            te += terminations
            // An episode Minari stores ends with a flag; one that does not was cut: truncated.
            tr += truncations.enumerated().map { $0.element || ($0.offset == t - 1 && !terminations[t - 1]) }
        }
        let envID = (metadata["env_spec"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["id"] as? String
        return try OfflineDataset(observationSize: observationSize, actionSize: actionSize, discreteActions: discrete, observations: o,
                                  actions: a, rewards: r, nextObservations: n, terminations: te, truncations: tr, environmentID: envID)
    }

    /// A serialised Gymnasium space: its type, the number of values and, for Discrete, n.
    struct SpaceDescription { let type: String; let size: Int; let n: Int? }

    static func space(_ value: Any?, _ key: String) throws -> SpaceDescription {
        guard let text = value as? String else { throw DatasetError.malformed("metadata has no \(key)") }
        // Python's json writes ±Infinity for unbounded boxes, which is not JSON: only shape matters here.
        let json = text.replacingOccurrences(of: "-Infinity", with: "-1e308").replacingOccurrences(of: "Infinity", with: "1e308")
            .replacingOccurrences(of: "NaN", with: "0")
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any], let type = object["type"] as? String else {
            throw DatasetError.malformed("\(key) is not a serialised space: \(text.prefix(80))")
        }
        switch type {
        case "Box":
            guard let shape = object["shape"] as? [Int], shape.allSatisfy({ $0 >= 1 }), shape.count <= 3 else {
                throw DatasetError.malformed("\(key) has no valid shape")
            }
            return SpaceDescription(type: type, size: shape.reduce(1, *), n: nil)
        case "Discrete":
            guard let n = object["n"] as? Int, n >= 1, (object["start"] as? Int ?? 0) == 0 else {
                throw DatasetError.unsupported("\(key): Discrete needs n ≥ 1 starting at 0")
            }
            return SpaceDescription(type: type, size: 1, n: n)
        default:
            return SpaceDescription(type: type, size: 0, n: nil)
        }
    }

    // MARK: Writing

    /// Writes `dataset` as a Minari dataset folder at `url` (which must not exist yet), through a
    /// temporary folder renamed into place. An episode whose last transition has no next
    /// observation (D4RL's time-outs) loses that transition: Minari needs every episode's last
    /// observation. `observationBounds`/`actionBounds`: the spaces' low and high (Box).
    public static func write(_ dataset: OfflineDataset, to url: URL, datasetID: String,
                             observationBounds: (low: [Double], high: [Double]), actionBounds: (low: [Double], high: [Double])?,
                             algorithm: String? = nil, description: String? = nil) throws {
        guard datasetID.range(of: #"^([A-Za-z0-9_\-]+/)*[A-Za-z0-9_\-]+-v\d+$"#, options: .regularExpression) != nil else {
            throw DatasetError.malformed("dataset id '\(datasetID)' must look like NAMESPACE/NAME-vN (Minari's form)")
        }
        let fm = FileManager.default
        guard !fm.fileExists(atPath: url.path) else { throw DatasetError.io("\(url.path) already exists") }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        try? fm.removeItem(at: temporary)
        let data = temporary.appendingPathComponent("data")
        do {
            try fm.createDirectory(at: data, withIntermediateDirectories: true)
            var episodeCount = 0, stepCount = 0
            do {
                let file = try HDF5Object.create(file: data.appendingPathComponent("main_data.hdf5"))
                let d = dataset.observationSize, k = dataset.actionSize
                for range in dataset.episodes {
                    var steps = range
                    if let last = steps.last, !dataset.hasNextObservation[last] { steps = steps.lowerBound..<last }
                    guard let last = steps.last else { continue }
                    let group = try file.createGroup("episode_\(episodeCount)")
                    try group.writeAttribute("id", Int64(episodeCount))
                    try group.writeAttribute("total_steps", Int64(steps.count))
                    let observations = Array(dataset.observations[(steps.lowerBound * d)..<(steps.upperBound * d)]) + dataset.nextObservation(last)
                    try group.writeFloats("observations", shape: [steps.count + 1, d], observations)
                    let actions = Array(dataset.actions[(steps.lowerBound * k)..<(steps.upperBound * k)])
                    if dataset.discreteActions != nil {
                        try group.writeInt64s("actions", shape: [steps.count], actions.map { Int64($0) })
                    } else {
                        try group.writeFloats("actions", shape: [steps.count, k], actions)
                    }
                    try group.writeFloats("rewards", shape: [steps.count], Array(dataset.rewards[steps]))
                    try group.writeBools("terminations", Array(dataset.terminations[steps]))
                    // A transition dropped above leaves the episode cut: its new last step is truncated.
                    try group.writeBools("truncations", steps.map { dataset.truncations[$0] || ($0 == last && !dataset.terminations[$0]) })
                    _ = try group.createGroup("infos")
                    episodeCount += 1
                    stepCount += steps.count
                }
            }
            var metadata: [String: Any] = [
                "total_episodes": episodeCount, "total_steps": stepCount, "data_format": "hdf5", "jpeg_encoding": false,
                "observation_space": boxText(observationBounds, shape: [dataset.observationSize]),
                "action_space": dataset.discreteActions.map { "{\"type\": \"Discrete\", \"dtype\": \"int64\", \"start\": 0, \"n\": \($0)}" }
                    ?? boxText(actionBounds ?? (Array(repeating: -1, count: dataset.actionSize), Array(repeating: 1, count: dataset.actionSize)),
                               shape: [dataset.actionSize]),
                "dataset_id": datasetID, "minari_version": version, "author": ["Athanor"],
            ]
            if let id = dataset.environmentID, let spec = gymnasiumSpec(id) { metadata["env_spec"] = spec }
            if let algorithm { metadata["algorithm_name"] = algorithm }
            if let description { metadata["description"] = description }
            let json = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])
            try json.write(to: data.appendingPathComponent("metadata.json"))
            try fm.moveItem(at: temporary, to: url)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
    }

    /// Gymnasium's `EnvSpec.to_json()` for the classic-control ids we share with it, so that
    /// `dataset.recover_environment()` makes the same task; nil for Athanor's own environments.
    static func gymnasiumSpec(_ id: String) -> String? {
        let known: [String: (module: String, type: String, steps: Int, threshold: String)] = [
            "CartPole-v1": ("cartpole", "CartPoleEnv", 500, "475.0"), "MountainCar-v0": ("mountain_car", "MountainCarEnv", 200, "-110.0"),
            "MountainCarContinuous-v0": ("continuous_mountain_car", "Continuous_MountainCarEnv", 999, "90.0"),
            "Acrobot-v1": ("acrobot", "AcrobotEnv", 500, "-100.0"), "Pendulum-v1": ("pendulum", "PendulumEnv", 200, "null"),
        ]
        guard let spec = known[id] else { return nil }
        return "{\"id\": \"\(id)\", \"entry_point\": \"gymnasium.envs.classic_control.\(spec.module):\(spec.type)\", "
            + "\"reward_threshold\": \(spec.threshold), \"nondeterministic\": false, \"max_episode_steps\": \(spec.steps), "
            + "\"order_enforce\": true, \"disable_env_checker\": false, \"kwargs\": {}, \"additional_wrappers\": [], \"vector_entry_point\": null}"
    }

    /// A Box as Minari serialises it (Python's json: ±Infinity for unbounded sides).
    static func boxText(_ bounds: (low: [Double], high: [Double]), shape: [Int]) -> String {
        func number(_ x: Double) -> String { x == .infinity ? "Infinity" : x == -.infinity ? "-Infinity" : "\(Double(Float(x)))" }
        return "{\"type\": \"Box\", \"dtype\": \"float32\", \"shape\": \(shape), \"low\": [\(bounds.low.map(number).joined(separator: ", "))], "
            + "\"high\": [\(bounds.high.map(number).joined(separator: ", "))]}"
    }
}
