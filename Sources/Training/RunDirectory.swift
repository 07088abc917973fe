import Agents
import Foundation
import NN

/// Why a run directory cannot be used, in one line.
public enum RunError: Error, CustomStringConvertible, Equatable {
    case notARunDirectory(String)
    case malformedConfiguration(path: String, detail: String)
    case missingFile(directory: String, file: String, hint: String)
    case noEnvironment(String)
    case wrongAgent(directory: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .notARunDirectory(let path): "\(path) is not a run directory (no config.json)"
        case .malformedConfiguration(let path, let detail): "\(path) is malformed: \(detail)"
        case .missingFile(let directory, let file, let hint): "\(directory) has no \(file)\(hint.isEmpty ? "" : " (\(hint))")"
        case .noEnvironment(let path):
            "a new run in \(path) needs its environment: RunDirectory(path, environment: EnvironmentReference(id))"
        case .wrongAgent(let directory, let expected, let found): "\(directory) holds a \(found) run, not \(expected)"
        }
    }
}

/// A folder that holds one training run: `config.json` (what was trained), `metrics.csv` and
/// `metrics.jsonl` (one row per iteration), `checkpoint.safetensors` (everything needed to
/// continue exactly) and, with an `EvalCallback`, `best.safetensors` (the best model so far).
public struct RunDirectory: Sendable {
    public let url: URL
    /// The environment of a new run; an existing run's comes from its `config.json`.
    public let environment: EnvironmentReference?

    public init(url: URL, environment: EnvironmentReference? = nil) {
        (self.url, self.environment) = (url, environment)
    }

    public init(_ path: String, environment: EnvironmentReference? = nil) {
        self.init(url: URL(fileURLWithPath: path), environment: environment)
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

    /// The checkpoint to restore: the last one, or the best model of the periodic evaluations.
    func checkpoint(best: Bool) throws -> SafeTensors {
        let file = best ? bestURL : checkpointURL
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw RunError.missingFile(directory: path, file: file.lastPathComponent,
                                       hint: best ? "train with an evaluation (--eval-freq N) to keep one" : "")
        }
        return try SafeTensors.read(from: file)
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case let error as CustomStringConvertible where !(error is NSError): error.description
        case DecodingError.keyNotFound(let key, _): "no '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            "'\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        default: "\(error)"
        }
    }
}
