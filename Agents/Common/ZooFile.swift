import Foundation
import Yams

/// An rl-baselines3-zoo hyper-parameter file (`hyperparams/ALGO.yml`): one entry per environment
/// id, in SB3's names, with the zoo's conventions: `!!float 1e5` budgets, `lin_X` schedules,
/// YAML anchors and `<<:` merges, `policy_kwargs` and `normalize` as Python literals in strings
/// (`"dict(net_arch=[256, 256], ortho_init=False)"`). An entry becomes `name=value` settings, the
/// form `--set` takes; what Athanor cannot honour (gSDE, frame stacking, other policies) is an
/// error naming it, never silently dropped.
public struct ZooFile: Sendable {
    public let path: String
    private let entries: [String: [(key: String, value: ZooValue)]]

    /// Reads a zoo file; a file that is not YAML, or not a mapping of entries, is an error.
    public init(contentsOf url: URL) throws {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw HyperparameterError.malformedFile("cannot read \(url.path)")
        }
        try self.init(yaml: text, path: url.path)
    }

    public init(yaml: String, path: String = "<yaml>") throws {
        self.path = path
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch {
            let reason = (error as? YamlError).map { "\($0)".split(separator: "\n").first.map(String.init) ?? "" } ?? "\(error)"
            throw HyperparameterError.malformedFile("\(path) is not YAML: \(reason)")
        }
        // Yams traps on a mapping key that is not a scalar (`? [a, b]: 1`, legal YAML), so keys are checked first.
        if let node, let key = Self.firstComplexKey(in: node) {
            let line = key.mark.map { " (line \($0.line))" } ?? ""
            throw HyperparameterError.malformedFile("\(path): a mapping key\(line) is a list or mapping, not a name")
        }
        let document = node.map { Constructor.default.any(from: $0) }
        guard let top = document as? [String: Any] else {
            throw HyperparameterError.malformedFile("\(path) is not a zoo file (a mapping from environment ids to settings)")
        }
        var entries: [String: [(key: String, value: ZooValue)]] = [:]
        for (id, settings) in top {
            guard let settings = settings as? [String: Any] else {
                throw HyperparameterError.malformedFile("\(path): the entry '\(id)' is not a mapping of settings")
            }
            entries[id] = try settings.sorted { $0.key < $1.key }.map { key, value in
                guard let value = ZooValue(value) else {
                    throw HyperparameterError.malformedFile("\(path): \(id).\(key) is not a number, flag, string or list")
                }
                return (key, value)
            }
        }
        self.entries = entries
    }

    public var environmentIDs: [String] { entries.keys.sorted() }

    private static func firstComplexKey(in node: Node) -> Node? {
        switch node {
        case .scalar, .alias: return nil
        case .sequence(let items): return items.lazy.compactMap(firstComplexKey).first
        case .mapping(let pairs):
            if let key = pairs.keys.first(where: { $0.scalar == nil }) { return key }
            return pairs.values.lazy.compactMap(firstComplexKey).first
        }
    }

    /// The entry for `environmentID` as `name=value` settings for an agent whose networks use
    /// `activation` (`nn.Tanh` for the actor-critics, `nn.ReLU` for DQN, as in SB3).
    /// `stateDependentExploration`: the agent implements gSDE (`use_sde`, `sde_sample_freq`, SAC's).
    public func settings(for environmentID: String, activation: String, stateDependentExploration: Bool = false) throws -> [String] {
        guard let entry = entries[environmentID] else {
            throw HyperparameterError.malformedFile("\(path) has no entry for \(environmentID) (it has: \(environmentIDs.joined(separator: ", ")))")
        }
        if !stateDependentExploration, entry.first(where: { $0.key == "use_sde" })?.value.flag == true {
            throw HyperparameterError.malformedFile("\(path): \(environmentID).use_sde: gSDE (generalised state-dependent exploration) is not implemented; set it False")
        }
        var settings: [String] = []
        for (key, value) in entry {
            func unsupported(_ why: String) -> HyperparameterError {
                .malformedFile("\(path): \(environmentID).\(key): \(why)")
            }
            switch key {
            case "policy":
                // MultiInputPolicy is SB3's policy for dict observations; goal tasks here are flat rows of them.
                guard ["MlpPolicy", "MultiInputPolicy"].contains(value.text) else {
                    throw unsupported("only 'MlpPolicy' (or 'MultiInputPolicy' on a goal task) is implemented, not '\(value.text)'")
                }
            case "use_sde", "sde_sample_freq", "use_sde_at_warmup":
                // Without gSDE (`use_sde: True` refused above) they change nothing.
                if stateDependentExploration { settings.append("\(key)=\(value.text)") }
            case "use_rms_prop":
                // A2C's optimiser is RMSprop, as SB3's default.
                guard value.flag == true else { throw unsupported("A2C here always uses RMSprop (use_rms_prop: True)") }
            case "normalize":
                settings.append("normalize=\(try Self.normalization(value, unsupported))")
            case "train_freq":
                // An integer, or SB3's (n, "step") tuple; episodes as the unit are not implemented.
                if case .list(let items) = value, items.count == 2, items[1].text == "step" {
                    settings.append("train_freq=\(items[0].text)")
                } else if case .list = value {
                    throw unsupported("only a frequency in steps is implemented, not \(value.text)")
                } else {
                    settings.append("train_freq=\(value.text)")
                }
            case "policy_kwargs":
                settings += try Self.policySettings(value.text, activation: activation, unsupported)
            case "noise_type":
                // Exploration noise (TD3, DDPG): Gaussian or Ornstein–Uhlenbeck; its scale is `noise_std`.
                guard ["normal", "ornstein-uhlenbeck"].contains(value.text) else {
                    throw unsupported("only 'normal' and 'ornstein-uhlenbeck' action noise are implemented, not '\(value.text)'")
                }
                settings.append("action_noise_type=\(value.text)")
            case "noise_std":
                settings.append("action_noise_std=\(value.text)")
            case "replay_buffer_class":
                guard value.text == "HerReplayBuffer" else { throw unsupported("only HerReplayBuffer is implemented, not '\(value.text)'") }
                settings.append("her=true")
            case "replay_buffer_kwargs":
                // HER's dict(n_sampled_goal=4, goal_selection_strategy='future').
                guard case .dictionary(let arguments)? = try? PythonLiteral.parse(value.text) else {
                    throw unsupported("expected dict(n_sampled_goal=…, goal_selection_strategy=…), not \(value.text)")
                }
                for (name, argument) in arguments {
                    switch (name, argument) {
                    case ("n_sampled_goal", .number(let k)): settings.append("n_sampled_goal=\(ZooValue.number(k).text)")
                    case ("goal_selection_strategy", .string(let strategy)): settings.append("goal_selection_strategy=\(strategy)")
                    default: throw unsupported("replay_buffer_kwargs '\(name)' is not implemented")
                    }
                }
            case "env_wrapper", "frame_stack", "vec_env_wrapper", "callback", "env_kwargs",
                 "optimize_memory_usage", "monitor_kwargs", "normalize_kwargs":
                throw unsupported("not implemented (an Athanor run takes the environment as registered)")
            default:
                settings.append("\(key)=\(value.text)")
            }
        }
        return settings
    }

    /// `normalize: true`, or the zoo's `"{'norm_obs': True, 'norm_reward': False}"`: Athanor
    /// normalises observations and rewards together.
    private static func normalization(_ value: ZooValue, _ unsupported: (String) -> HyperparameterError) throws -> String {
        if let flag = value.flag { return "\(flag)" }
        guard case .dictionary(let options)? = try? PythonLiteral.parse(value.text) else {
            throw unsupported("expected true, false or a dict of norm_obs and norm_reward, not \(value.text)")
        }
        let observations = options.first { $0.key == "norm_obs" }?.value.flag ?? true
        let rewards = options.first { $0.key == "norm_reward" }?.value.flag ?? true
        guard observations == rewards, options.allSatisfy({ ["norm_obs", "norm_reward"].contains($0.key) }) else {
            throw unsupported("observations and rewards are normalised together here, not \(value.text)")
        }
        return "\(observations)"
    }

    /// `policy_kwargs`: `net_arch` (a list, or `dict(pi=…, vf=…)` with equal sizes), `ortho_init`,
    /// `log_std_init`, and `activation_fn` when it is the network's own.
    private static func policySettings(_ text: String, activation: String, _ unsupported: (String) -> HyperparameterError) throws -> [String] {
        let literal: PythonLiteral
        do { literal = try PythonLiteral.parse(text) } catch {
            throw unsupported("\(error)")
        }
        guard case .dictionary(let arguments) = literal else { throw unsupported("expected dict(…), not \(text)") }
        var settings: [String] = []
        for (name, value) in arguments {
            switch (name, value) {
            case ("net_arch", .list(let sizes)):
                settings.append("net_arch=\(try layerSizes(sizes, unsupported))")
            case ("net_arch", .dictionary(let heads)):
                let pi = heads.first { $0.key == "pi" }?.value, vf = heads.first { $0.key == "vf" }?.value
                guard heads.count == 2, case .list(let actor)? = pi, case .list(let critic)? = vf, actor == critic else {
                    throw unsupported("net_arch with different actor and critic sizes is not implemented")
                }
                settings.append("net_arch=\(try layerSizes(actor, unsupported))")
            case ("ortho_init", .bool(let flag)): settings.append("ortho_init=\(flag)")
            case ("log_std_init", .number(let number)): settings.append("log_std_init=\(number)")
            case ("n_critics", .number(let number)): settings.append("n_critics=\(ZooValue.number(number).text)")
            case ("activation_fn", .name(let function)):
                guard function == activation else { throw unsupported("activation_fn=\(function) is not implemented (this network uses \(activation))") }
            default: throw unsupported("policy_kwargs '\(name)' is not implemented")
            }
        }
        return settings
    }

    private static func layerSizes(_ sizes: [PythonLiteral], _ unsupported: (String) -> HyperparameterError) throws -> String {
        let integers = sizes.compactMap { size -> Int? in
            if case .number(let number) = size { Int(exactly: number) } else { nil }
        }
        guard integers.count == sizes.count, !integers.isEmpty else { throw unsupported("net_arch needs layer sizes") }
        return integers.map(String.init).joined(separator: ",")
    }
}

/// A setting's value as YAML gave it.
enum ZooValue: Sendable {
    case flag(Bool)
    case number(Double)
    case text(String)
    indirect case list([ZooValue])

    init?(_ value: Any) {
        switch value {
        case let flag as Bool: self = .flag(flag)
        case let integer as Int: self = .number(Double(integer))
        case let number as Double: self = .number(number)
        case let text as String: self = .text(text)
        case let items as [Any]:
            let values = items.compactMap(ZooValue.init)
            guard values.count == items.count else { return nil }
            self = .list(values)
        default: return nil
        }
    }

    var flag: Bool? { if case .flag(let flag) = self { flag } else { nil } }

    /// As `--set` takes it: whole numbers without a fraction (`!!float 1e5` is 100000).
    var text: String {
        switch self {
        case .flag(let flag): "\(flag)"
        case .number(let number): Int(exactly: number).map(String.init) ?? "\(number)"
        case .text(let text): text
        case .list(let items): items.map(\.text).joined(separator: ",")
        }
    }
}

/// The Python literals the zoo writes in strings: `dict(a=1, b=[2, 3])`, `{'a': True}`, lists,
/// numbers, True/False/None, quoted strings and dotted names (`nn.ReLU`).
enum PythonLiteral: Equatable, Sendable {
    case number(Double)
    case bool(Bool)
    case none
    case string(String)
    case name(String)
    indirect case list([PythonLiteral])
    indirect case dictionary([(key: String, value: PythonLiteral)])

    static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.none, .none): true
        case (.string(let x), .string(let y)), (.name(let x), .name(let y)): x == y
        case (.list(let x), .list(let y)): x == y
        case (.dictionary(let x), .dictionary(let y)): x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: false
        }
    }

    var flag: Bool? { if case .bool(let flag) = self { flag } else { nil } }

    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String) throws -> PythonLiteral {
        var parser = Parser(characters: Array(text))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == parser.characters.count else { throw parser.error("unexpected '\(parser.characters[parser.index])'") }
        return value
    }

    private struct Parser {
        let characters: [Character]
        var index = 0

        init(characters: [Character]) { self.characters = characters }

        func error(_ what: String) -> SyntaxError {
            SyntaxError(description: "cannot read the Python literal \"\(String(characters))\": \(what) at character \(index + 1)")
        }

        mutating func skipSpace() { while index < characters.count, characters[index].isWhitespace { index += 1 } }

        mutating func take(_ character: Character) -> Bool {
            skipSpace()
            guard index < characters.count, characters[index] == character else { return false }
            index += 1
            return true
        }

        mutating func expect(_ character: Character) throws {
            guard take(character) else { throw error("expected '\(character)'") }
        }

        mutating func word() -> String {
            skipSpace()
            let start = index
            while index < characters.count, characters[index].isLetter || characters[index].isNumber
                    || "_.+-".contains(characters[index]) { index += 1 }
            return String(characters[start..<index])
        }

        /// Items up to `close`, separated by commas (a trailing comma allowed).
        mutating func items(until close: Character, _ item: (inout Parser) throws -> Void) throws {
            while !take(close) {
                try item(&self)
                if !take(",") { try expect(close); return }
            }
        }

        mutating func value() throws -> PythonLiteral {
            skipSpace()
            guard index < characters.count else { throw error("a value is missing") }
            switch characters[index] {
            case "[", "(":
                let close: Character = characters[index] == "[" ? "]" : ")"
                index += 1
                var list: [PythonLiteral] = []
                try items(until: close) { list.append(try $0.value()) }
                return .list(list)
            case "{":
                index += 1
                var pairs: [(key: String, value: PythonLiteral)] = []
                try items(until: "}") { parser in
                    guard case .string(let key) = try parser.value() else { throw parser.error("a dict key must be a string") }
                    try parser.expect(":")
                    pairs.append((key, try parser.value()))
                }
                return .dictionary(pairs)
            case "'", "\"":
                let quote = characters[index]
                index += 1
                let start = index
                while index < characters.count, characters[index] != quote { index += 1 }
                guard index < characters.count else { throw error("a string is not closed") }
                defer { index += 1 }
                return .string(String(characters[start..<index]))
            default:
                let word = word()
                guard !word.isEmpty else { throw error("unexpected '\(characters[index])'") }
                if word == "dict" && take("(") {
                    var pairs: [(key: String, value: PythonLiteral)] = []
                    try items(until: ")") { parser in
                        let key = parser.word()
                        guard !key.isEmpty else { throw parser.error("expected a keyword argument") }
                        try parser.expect("=")
                        pairs.append((key, try parser.value()))
                    }
                    return .dictionary(pairs)
                }
                switch word {
                case "True": return .bool(true)
                case "False": return .bool(false)
                case "None": return .none
                default:
                    if let number = Double(word) { return .number(number) }
                    guard word.first?.isLetter == true || word.first == "_" else { throw error("cannot read '\(word)'") }
                    return .name(word)
                }
            }
        }
    }
}

/// The zoo files shipped with Athanor (`hyperparams/` in the repository, `PREFIX/share/athanor/
/// hyperparams` once installed): the `--preset zoo` settings.
public enum ZooPresets {
    /// The folders searched, in order: `$ATHANOR_HYPERPARAMS`, `../share/athanor/hyperparams`
    /// beside the running binary (`make install`), then the source tree's `hyperparams/` (a
    /// binary or a dependency built from source).
    public static var folders: [URL] {
        var folders: [URL] = []
        if let folder = ProcessInfo.processInfo.environment["ATHANOR_HYPERPARAMS"], !folder.isEmpty {
            folders.append(URL(fileURLWithPath: folder))
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            folders.append(executable.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("share/athanor/hyperparams"))
        }
        folders.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("hyperparams"))
        return folders
    }

    /// `NAME.yml` from the first folder that has it.
    public static func file(_ name: String) throws -> ZooFile {
        let candidates = folders.map { $0.appendingPathComponent("\(name).yml") }
        guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw HyperparameterError.malformedFile("no zoo presets \(name).yml (looked in \(candidates.map(\.path).joined(separator: ", ")); set ATHANOR_HYPERPARAMS to the repository's hyperparams folder)")
        }
        return try ZooFile(contentsOf: url)
    }
}
