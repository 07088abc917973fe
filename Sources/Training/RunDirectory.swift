import Agents
import Foundation
import TensorBoard
import NN

/// Why a run directory cannot be used, in one line.
public enum RunError: Error, CustomStringConvertible, Equatable {
    case notARunDirectory(String)
    case malformedConfiguration(path: String, detail: String)
    case missingFile(directory: String, file: String, hint: String)
    case noEnvironment(String)
    case wrongAgent(directory: String, expected: String, found: String)
    case notEmpty(String)
    case checkpointMismatch(directory: String, file: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notARunDirectory(let path): "\(path) is not a run directory (no config.json)"
        case .malformedConfiguration(let path, let detail): "\(path) is malformed: \(detail)"
        case .missingFile(let directory, let file, let hint): "\(directory) has no \(file)\(hint.isEmpty ? "" : " (\(hint))")"
        case .noEnvironment(let path):
            "a new run in \(path) needs its environment: RunDirectory(path, environment: EnvironmentReference(id))"
        case .wrongAgent(let directory, let expected, let found): "\(directory) holds a \(found) run, not \(expected)"
        case .notEmpty(let path): "\(path) is not empty: it holds another run (continue it with --resume, or replace it with --overwrite)"
        case .checkpointMismatch(let directory, let file):
            "\(directory)/\(file) was written by another run than the one its config.json describes (start afresh with --overwrite)"
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

/// A folder that holds one training run: `config.json` (what was trained), `metrics.csv` and
/// `metrics.jsonl` (one row per iteration), `checkpoint.safetensors` (everything needed to
/// continue exactly) and, with an `EvalCallback`, `best.safetensors` (the best model so far).
///
/// A folder belongs to one run: a new run refuses a folder that holds anything unless it is
/// told to `overwrite` it (then the old run's files are removed first, so that nothing of it can
/// be resumed under the new configuration), and every checkpoint carries its run's configuration
/// so that resuming checks the two belong together.
public struct RunDirectory: Sendable {
    public let url: URL
    /// The environment of a new run; an existing run's comes from its `config.json`.
    public let environment: EnvironmentReference?
    /// A new run may replace whatever the folder holds.
    public let overwrite: Bool

    public init(url: URL, environment: EnvironmentReference? = nil, overwrite: Bool = false) {
        (self.url, self.environment, self.overwrite) = (url, environment, overwrite)
    }

    public init(_ path: String, environment: EnvironmentReference? = nil, overwrite: Bool = false) {
        self.init(url: URL(fileURLWithPath: path), environment: environment, overwrite: overwrite)
    }

    /// A fresh folder `AGENT_ENV_N` under `parent` (N one more than the highest already there), as
    /// rl-baselines3-zoo numbers its log folders: a run is kept without being asked to.
    public static func numbered(under parent: URL, agent: String, environment: EnvironmentReference) -> RunDirectory {
        numbered(under: parent, prefix: "\(agent)_\(environment.id)_", environment: environment)
    }

    /// A fresh folder `PREFIXN` under `parent`, N one more than the highest already there (`lm-grpo_3`).
    public static func numbered(under parent: URL, prefix: String, environment: EnvironmentReference? = nil) -> RunDirectory {
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [])
            .compactMap { $0.hasPrefix(prefix) ? Int($0.dropFirst(prefix.count)) : nil }
        let next = (existing.max() ?? 0) &+ 1
        return RunDirectory(url: parent.appendingPathComponent(prefix + String(next)), environment: environment)
    }

    public var path: String { url.path }
    public var configurationURL: URL { url.appendingPathComponent("config.json") }
    public var checkpointURL: URL { url.appendingPathComponent("checkpoint.safetensors") }
    public var bestURL: URL { url.appendingPathComponent("best.safetensors") }
    public var metricsCSVURL: URL { url.appendingPathComponent("metrics.csv") }
    public var metricsJSONLURL: URL { url.appendingPathComponent("metrics.jsonl") }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointURL.path) }

    /// What `config.json` says was trained here.
    public func configuration() throws -> RunConfiguration {
        guard let data = try? Data(contentsOf: configurationURL) else { throw RunError.notARunDirectory(path) }
        do { return try JSONDecoder().decode(RunConfiguration.self, from: data) } catch {
            throw RunError.malformedConfiguration(path: configurationURL.path, detail: Self.reason(error))
        }
    }

    func write(_ configuration: RunConfiguration) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(encoder.encode(configuration), to: configurationURL)
    }

    /// The checkpoint to restore: the last one, or the best model of the periodic evaluations;
    /// refused if it was written by another run than `config.json` describes.
    func checkpoint(best: Bool) throws -> SafeTensors {
        let file = best ? bestURL : checkpointURL
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw RunError.missingFile(directory: path, file: file.lastPathComponent,
                                       hint: best ? "train with an evaluation (--eval-freq N) to keep one" : "")
        }
        let checkpoint = try SafeTensors.read(from: file)
        guard checkpoint.metadata[Self.stampKey] == (try configurationStamp()) else {
            throw RunError.checkpointMismatch(directory: path, file: file.lastPathComponent)
        }
        return checkpoint
    }

    /// The metadata key of a checkpoint's run configuration.
    static let stampKey = "run_configuration"

    /// `config.json` in one canonical line, as checkpoints carry it.
    func configurationStamp() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let data = try? Data(contentsOf: configurationURL),
           case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data),
           object["kind"] == .string(LanguageModelRunConfiguration.kindName) {
            return String(decoding: try encoder.encode(LanguageModels.configuration(of: self)), as: UTF8.self)
        }
        return String(decoding: try encoder.encode(configuration()), as: UTF8.self)
    }

    /// Writes `checkpoint` atomically to `url` with this run's stamp.
    func write(_ checkpoint: SafeTensors, to file: URL) throws {
        var stamped = checkpoint
        stamped.metadata[Self.stampKey] = try configurationStamp()
        try stamped.write(to: file)
    }

    /// Makes the folder ready for a new run: created if need be, refused if it holds anything
    /// (but stale temporary files) unless `overwrite`, in which case the old run's files go.
    func prepareForNewRun() throws {
        try createFolder()
        removeStaleTemporaryFiles()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        guard !entries.isEmpty else { return }
        guard overwrite else { throw RunError.notEmpty(path) }
        for file in [configurationURL, checkpointURL, bestURL, metricsCSVURL, metricsJSONLURL] + EventFileWriter.files(in: url)
        where FileManager.default.fileExists(atPath: file.path) {
            do { try FileManager.default.removeItem(at: file) } catch {
                throw RunError.unwritable(path: file.path, reason: Self.reason(error))
            }
        }
    }

    func createFolder() throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw RunError.unwritable(path: path, reason: "it is a file, not a folder") }
            return
        }
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw RunError.unwritable(path: path, reason: Self.reason(error))
        }
    }

    /// Removes `.NAME.PID.tmp` files that a process which is no longer running left behind
    /// (killed while it wrote a checkpoint).
    func removeStaleTemporaryFiles() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.split(separator: ".")
            guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
            }
        }
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case let error as CocoaError: error.reason
        case let error as CustomStringConvertible where !(error is NSError): error.description
        case DecodingError.keyNotFound(let key, _): "no '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            "'\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        default: "\(error)"
        }
    }
}

extension CocoaError {
    /// What went wrong with a file, in a few words (Foundation's own text is a paragraph).
    public var reason: String {
        if let underlying = userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder (or it cannot hold one)"
        case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteFileExists: return "a file of that name is in the way"
        default: return "file error \(code.rawValue)"
        }
    }
}
