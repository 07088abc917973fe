/// Options given as text (`--env-opt map_name=8x8`), read with the type each one needs.
/// Names follow Gymnasium's keyword arguments where we share an environment.
public struct EnvironmentOptions: Sendable {
    public let id: String
    public let values: [String: String]

    public init(id: String, values: [String: String]) {
        self.id = id
        self.values = values
    }

    public func string(_ name: String, default value: String) -> String { values[name] ?? value }

    public func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let text = values[name] else { return value }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw EnvironmentError.invalidOption(id: id, option: name, value: text, expected: "true or false")
        }
    }

    public func double(_ name: String, default value: Double, in range: ClosedRange<Double>? = nil) throws -> Double {
        guard let text = values[name] else { return value }
        guard let parsed = Double(text), parsed.isFinite, range.map({ $0.contains(parsed) }) ?? true else {
            let expected = range.map { "a number in \($0.lowerBound)…\($0.upperBound)" } ?? "a number"
            throw EnvironmentError.invalidOption(id: id, option: name, value: text, expected: expected)
        }
        return parsed
    }

    public func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name] else { return value }
        guard let parsed = Int(text), range.contains(parsed) else {
            throw EnvironmentError.invalidOption(id: id, option: name, value: text, expected: "an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return parsed
    }

    /// One of a fixed set of words.
    public func choice(_ name: String, default value: String, from choices: [String]) throws -> String {
        guard let text = values[name] else { return value }
        guard choices.contains(text) else {
            throw EnvironmentError.invalidOption(id: id, option: name, value: text, expected: "one of \(choices.joined(separator: ", "))")
        }
        return text
    }
}

/// One registered id: how to build it and what it takes.
public struct EnvironmentSpec: Sendable {
    public struct Option: Sendable {
        public let name: String
        public let defaultValue: String
        public let help: String
        public init(_ name: String, default defaultValue: String, _ help: String) {
            self.name = name
            self.defaultValue = defaultValue
            self.help = help
        }
    }

    public let id: String
    public let summary: String
    public let options: [Option]
    /// Gymnasium's `max_episode_steps` for the id, applied as a `TimeLimit` by `make`; nil: none.
    public let maxEpisodeSteps: Int?
    public let make: @Sendable (EnvironmentOptions) throws -> any DynamicEnvironment

    public init(id: String, summary: String, options: [Option] = [], maxEpisodeSteps: Int?,
                make: @escaping @Sendable (EnvironmentOptions) throws -> any DynamicEnvironment) {
        self.id = id
        self.summary = summary
        self.options = options
        self.maxEpisodeSteps = maxEpisodeSteps
        self.make = make
    }
}

/// Environment ids with parameters, so the CLI and benchmark configurations name them as text.
public struct EnvironmentRegistry: Sendable {
    public let specs: [EnvironmentSpec]

    public init(_ specs: [EnvironmentSpec]) {
        precondition(Set(specs.map(\.id)).count == specs.count, "duplicate environment ids")
        self.specs = specs
    }

    public var ids: [String] { specs.map(\.id) }

    public func spec(_ id: String) throws -> EnvironmentSpec {
        guard let spec = specs.first(where: { $0.id == id }) else {
            throw EnvironmentError.unknownID(id, known: ids)
        }
        return spec
    }

    /// Builds `id` with `options` (unknown option names are an error, not ignored).
    public func make(_ id: String, options: [String: String] = [:]) throws -> any DynamicEnvironment {
        let spec = try spec(id)
        let known = spec.options.map(\.name)
        if let stray = options.keys.sorted().first(where: { !known.contains($0) }) {
            throw EnvironmentError.unknownOption(id: id, option: stray, known: known)
        }
        return try spec.make(EnvironmentOptions(id: id, values: options))
    }

    /// Parses `name=value` pairs as given on the command line.
    public static func parseOptions(_ pairs: [String]) throws -> [String: String] {
        var options: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw EnvironmentError.unsupported("environment option '\(pair)' is not of the form name=value")
            }
            options[parts[0]] = parts[1]
        }
        return options
    }
}
