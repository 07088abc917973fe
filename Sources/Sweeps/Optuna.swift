import Foundation

/// An Optuna study driven through Optuna's own command line (`optuna create-study`, `ask`, `tell`,
/// `trials`), so any number of workers on any number of machines share one study in one storage
/// (`sqlite:///study.db` on one machine or a shared disk; a PostgreSQL or MySQL URL across machines). Optuna's CLI has no command for intermediate values, so `report` calls Optuna's
/// own `Trial.report` and `Trial.should_prune` with its `MedianPruner`, through the Python of the same
/// installation: the pruning decision is Optuna's, made from every worker's reports in the storage.
public struct OptunaStudy: Sendable {
    public let executable: String
    public let storage: String
    public let name: String

    public init(executable: String, storage: String, name: String) {
        (self.executable, self.storage, self.name) = (executable, storage, name)
    }

    /// The `optuna` on PATH, else ~/.venvs/optuna/bin/optuna.
    public static func findExecutable() -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/optuna"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let venv = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".venvs/optuna/bin/optuna").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    private var common: [String] { ["--storage", storage, "--study-name", name] }

    func optuna(_ command: String, _ arguments: [String]) throws -> String {
        try ExternalCommand.output(executable, [command] + common + arguments, what: "optuna \(command)")
    }

    public func create() throws {
        // Workers that start together race to create the study; the losers' insert fails once, and
        // --skip-if-exists then finds the winner's study.
        for attempt in 1... {
            do {
                _ = try ExternalCommand.output(executable, ["create-study"] + common + ["--direction", "maximize", "--skip-if-exists"], what: "optuna create-study")
                return
            } catch where attempt < 5 {
                usleep(UInt32(200_000 * attempt))
            }
        }
    }

    /// A new trial from the TPE sampler (seeded, so a worker's sequence is reproducible given the study).
    public func ask(_ space: SearchSpace, seed: UInt64, startupTrials: Int) throws -> (number: Int, parameters: [String: String]) {
        let kwargs = "{\"seed\": \(seed % (1 << 31)), \"n_startup_trials\": \(startupTrials)}"
        let out = try optuna("ask", ["--sampler", "TPESampler", "--sampler-kwargs", kwargs, "--search-space", space.json, "-f", "json"])
        guard let object = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any],
              let number = object["number"] as? Int, let params = object["params"] as? [String: Any] else {
            throw SweepError("optuna ask printed no trial: \(out.prefix(200))")
        }
        return (number, params.mapValues(Self.text))
    }

    public func tell(_ number: Int, value: Double) throws {
        _ = try optuna("tell", ["--trial-number", "\(number)", "--values", "\(value)", "--skip-if-finished"])
    }

    public enum Ending: String, Sendable { case pruned, fail }

    public func tell(_ number: Int, _ ending: Ending) throws {
        _ = try optuna("tell", ["--trial-number", "\(number)", "--state", ending.rawValue, "--skip-if-finished"])
    }

    /// Reports an intermediate evaluation; whether Optuna's MedianPruner prunes the trial now.
    public func report(_ number: Int, step: Int, value: Double, startupTrials: Int, warmupSteps: Int) throws -> Bool {
        let python = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("python").path
        let script = """
            import sys, optuna
            optuna.logging.set_verbosity(optuna.logging.WARNING)
            url, name, number, step, value, startup, warmup = sys.argv[1:8]
            storage = optuna.storages.get_storage(url)
            study = optuna.load_study(study_name=name, storage=storage,
                                      pruner=optuna.pruners.MedianPruner(n_startup_trials=int(startup), n_warmup_steps=int(warmup)))
            trial_id = storage.get_trial_id_from_study_id_trial_number(storage.get_study_id_from_name(name), int(number))
            trial = optuna.trial.Trial(study, trial_id)
            trial.report(float(value), int(step))
            print("prune" if trial.should_prune() else "continue")
            """
        let out = try ExternalCommand.output(python, ["-c", script, storage, name, "\(number)", "\(step)", "\(value)", "\(startupTrials)", "\(warmupSteps)"],
                                 what: "Optuna's pruner")
        return out.trimmingCharacters(in: .whitespacesAndNewlines) == "prune"
    }

    public struct Trial: Sendable {
        public var number: Int
        public var state: String
        public var value: Double?
        public var parameters: [String: String]
    }

    public func trials() throws -> [Trial] {
        let out = try optuna("trials", ["-f", "json"])
        guard let list = try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]] else {
            throw SweepError("optuna trials printed no list: \(out.prefix(200))")
        }
        return list.compactMap { t in
            guard let number = t["number"] as? Int, let state = t["state"] as? String else { return nil }
            return Trial(number: number, state: state, value: (t["value"] as? NSNumber)?.doubleValue,
                         parameters: (t["params"] as? [String: Any] ?? [:]).mapValues(Self.text))
        }.sorted { $0.number < $1.number }
    }

    /// A JSON scalar as the text `--set` takes: 32, 0.001, tiny.
    static func text(_ value: Any) -> String {
        if let s = value as? String { return s }
        if let n = value as? NSNumber {
            let d = n.doubleValue
            return d == d.rounded() && abs(d) < 1e15 && !"\(n)".contains(".") ? "\(Int(d))" : "\(d)"
        }
        return "\(value)"
    }
}
