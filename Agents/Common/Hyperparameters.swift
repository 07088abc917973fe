import Foundation
import RL

/// A number that may decay linearly over training, written as rl-baselines3-zoo writes it:
/// `0.001` (constant) or `"lin_0.001"` (from 0.001 at the start to 0 at the end).
public struct ScheduledValue: Codable, Equatable, Sendable, CustomStringConvertible {
    public var initial: Double
    public var isLinear: Bool

    public static func constant(_ value: Double) -> Self { Self(initial: value, isLinear: false) }
    public static func linear(_ value: Double) -> Self { Self(initial: value, isLinear: true) }

    /// The value when `progressRemaining` (SB3's 1 → 0 over training) is left.
    public func value(progressRemaining: Double) -> Double { isLinear ? initial * progressRemaining : initial }

    public var description: String { isLinear ? "lin_\(initial)" : "\(initial)" }

    public init(initial: Double, isLinear: Bool) {
        self.initial = initial
        self.isLinear = isLinear
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .constant(number)
        } else {
            let text = try container.decode(String.self)
            guard text.hasPrefix("lin_"), let number = Double(text.dropFirst(4)) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a number or lin_<number>")
            }
            self = .linear(number)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if isLinear { try container.encode(description) } else { try container.encode(initial) }
    }
}

public enum HyperparameterError: Error, CustomStringConvertible, Equatable {
    case unknown(name: String, known: [String])
    case invalid(name: String, value: String, expected: String)
    case malformedFile(String)
    case notAPair(String)

    public var description: String {
        switch self {
        case .unknown(let name, let known): "unknown hyper-parameter '\(printable(name))'; known: \(known.joined(separator: ", "))"
        case .invalid(let name, let value, let expected): "hyper-parameter \(printable(name))=\(printable(value)) is invalid: expected \(expected)"
        case .malformedFile(let detail): "hyper-parameter file: \(detail.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(300))"
        case .notAPair(let text): "'\(printable(text))' is not name=value"
        }
    }
}

/// Settings read from `--set name=value`, JSON files and checkpoints under snake-case names,
/// each field with its declared range (`ranges`), checked after every change.
public protocol ParameterSet: Codable, Equatable, Sendable, RangeChecked {
    /// Fields that may be absent (SB3's `None`), e.g. `target_kl`.
    static var optionalNames: [String] { get }
    /// Checks every range (and the cross checks); throws `HyperparameterError.invalid`.
    func validate() throws
}

/// An agent's hyper-parameters: one Codable struct whose fields carry SB3/CleanRL names in
/// snake case (`learning_rate`, `n_steps`, …), so `--set name=value`, JSON files and checkpoints
/// all speak the same names.
public protocol Hyperparameters: ParameterSet {
    /// The agent's defaults (Stable-Baselines3's).
    init()
    /// The training budget in environment steps (the zoo's `n_timesteps`).
    var nTimesteps: Int { get }
    /// The name of the shipped zoo file with the agent's tuned settings (`hyperparams/NAME.yml`).
    static var zooName: String { get }
    /// The activation of the agent's networks, as `policy_kwargs` names it (`nn.Tanh`, `nn.ReLU`).
    static var activationFunction: String { get }
    /// Whether the agent implements gSDE, so a zoo entry's `use_sde: True` is taken, not refused.
    static var hasStateDependentExploration: Bool { get }
}

extension Hyperparameters {
    public static var activationFunction: String { "nn.Tanh" }
    public static var hasStateDependentExploration: Bool { false }

    /// A copy with the entry for `environmentID` of a zoo file (`hyperparams/ppo.yml`) applied.
    public func setting(zooFile: ZooFile, environmentID: String) throws -> Self {
        try setting(zooFile.settings(for: environmentID, activation: Self.activationFunction,
                                     stateDependentExploration: Self.hasStateDependentExploration))
    }

    /// The shipped tuned settings for `environmentID` (rl-baselines3-zoo's values, in its format).
    /// `file` names another shipped file (DDPG is TD3's configuration with hyperparams/ddpg.yml).
    public static func zoo(for environmentID: String, file name: String = zooName, base: Self = Self()) throws -> Self {
        let file = try ZooPresets.file(name)
        guard file.environmentIDs.contains(environmentID) else {
            throw TrainingError.unsupported("no zoo preset for \(environmentID) (hyperparams/\(name).yml has \(file.environmentIDs.joined(separator: ", "))); use --preset default")
        }
        return try base.setting(zooFile: file, environmentID: environmentID)
    }
}

extension ParameterSet {
    public static var optionalNames: [String] { [] }
    public func validate() throws { try checkRanges() }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// The fields as a JSON object (snake-case keys).
    public func jsonObject() throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Self.encoder.encode(self)) as? [String: Any]) ?? [:]
    }

    public var json: String { (try? String(decoding: Self.encoder.encode(self), as: UTF8.self)) ?? "{}" }

    public static func decode(json: String) throws -> Self {
        do { return try decoder.decode(Self.self, from: Data(json.utf8)) } catch {
            throw HyperparameterError.malformedFile("\(error)")
        }
    }

    /// A copy with `name` set from text: numbers, `true`/`false`, `lin_X` schedules, comma lists
    /// (`64,64`), or `none` for optional fields.
    public func setting(_ name: String, to text: String) throws -> Self {
        var object = try jsonObject()
        let known = (Array(object.keys) + Self.optionalNames).sorted()
        guard known.contains(name) else { throw HyperparameterError.unknown(name: name, known: Array(Set(known)).sorted()) }
        let current = object[name]
        if text == "none" || text == "null" {
            guard Self.optionalNames.contains(name) else {
                throw HyperparameterError.invalid(name: name, value: text, expected: "a value (it cannot be none)")
            }
            object[name] = nil
        } else if current is [Any] {
            let items = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",")
            let numbers = items.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard numbers.count == items.count, !numbers.isEmpty else {
                throw HyperparameterError.invalid(name: name, value: text, expected: "integers separated by commas")
            }
            object[name] = numbers
        } else if let flag = ["true": true, "false": false][text.lowercased()] {
            object[name] = flag
        } else if Self.expected(for: name) == ParameterRange<Self>.flagExpectation, let flag = ["1": true, "0": false][text] {
            object[name] = flag
        } else if current is String {
            object[name] = text  // a field of words (SAC's ent_coef: auto); its range says which
        } else if text.hasPrefix("lin_") {
            object[name] = text
        } else if let number = Double(text), number.isFinite {
            // An integer field takes a whole number exactly (1e30 or 2.5 is refused, not rounded).
            object[name] = Int(exactly: number).map { $0 as Any } ?? number
        } else {
            throw HyperparameterError.invalid(name: name, value: text, expected: Self.expected(for: name) ?? "a number")
        }
        let updated: Self
        do {
            updated = try Self.decoder.decode(Self.self, from: JSONSerialization.data(withJSONObject: object))
        } catch {
            throw HyperparameterError.invalid(name: name, value: text, expected: Self.expected(for: name) ?? "a value of the field's type")
        }
        try updated.validate()
        return updated
    }

    /// A copy with every `name=value` pair applied in order.
    public func setting(_ pairs: [String]) throws -> Self {
        try pairs.reduce(self) { config, pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw HyperparameterError.notAPair(pair) }
            return try config.setting(parts[0], to: parts[1])
        }
    }

    /// A copy with the fields of a JSON object file (snake-case names) applied.
    public func setting(jsonFile url: URL) throws -> Self {
        guard let data = try? Data(contentsOf: url) else { throw HyperparameterError.malformedFile("cannot read \(url.path)") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw HyperparameterError.malformedFile("\(url.path) is not a JSON object")
        }
        var merged = try jsonObject()
        let known = Set(merged.keys).union(Self.optionalNames)
        for (key, value) in object {
            guard known.contains(key) else { throw HyperparameterError.unknown(name: key, known: known.sorted()) }
            merged[key] = value is NSNull ? nil : value
        }
        let updated: Self
        do { updated = try Self.decoder.decode(Self.self, from: JSONSerialization.data(withJSONObject: merged)) } catch {
            throw HyperparameterError.malformedFile("\(url.path): a field has the wrong type")
        }
        try updated.validate()
        return updated
    }
}

/// Text from the user as an error may show it: one line (control characters escaped), at most
/// 60 characters.
func printable(_ text: String) -> String {
    let escaped = text.unicodeScalars.map { scalar in
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .format: scalar.escaped(asASCII: true)
        default: String(scalar)
        }
    }.joined()
    return escaped.count > 60 ? String(escaped.prefix(57)) + "…" : escaped
}

/// A cross check of `crossChecks()`.
func require(_ condition: Bool, _ name: String, _ value: Any, _ expected: String) throws {
    if !condition { throw HyperparameterError.invalid(name: name, value: "\(value)", expected: expected) }
}
