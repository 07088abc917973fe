// What each hyper-parameter may be, declared once beside the fields of its struct. `validate()`
// checks them all, `--set` names them in its errors, and a test checks that every field has one.

/// The values one hyper-parameter accepts: its snake-case name (as `--set`, JSON files and
/// checkpoints spell it), what a user is told to give, and the check.
public struct ParameterRange<Settings> {
    public let name: String
    /// "a number in (0, 1]", "an integer in 1…65536", …
    public let expected: String
    let accepts: (Settings) -> Bool
    let value: (Settings) -> String

    public init(_ name: String, expected: String, accepts: @escaping (Settings) -> Bool, value: @escaping (Settings) -> String) {
        (self.name, self.expected, self.accepts, self.value) = (name, expected, accepts, value)
    }
}

/// An interval of the real line, each end open or closed.
public struct Interval: Sendable, CustomStringConvertible {
    public var lower: Double, upper: Double
    public var includesLower: Bool, includesUpper: Bool

    public func contains(_ x: Double) -> Bool {
        x.isFinite && (includesLower ? x >= lower : x > lower) && (includesUpper ? x <= upper : x < upper)
    }

    public var description: String {
        func text(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)" }
        if includesLower && includesUpper { return "\(text(lower))…\(text(upper))" }
        return "\(includesLower ? "[" : "(")\(text(lower)), \(text(upper))\(includesUpper ? "]" : ")")"
    }

    /// [a, b]
    public static func closed(_ a: Double, _ b: Double) -> Interval { Interval(lower: a, upper: b, includesLower: true, includesUpper: true) }
    /// (a, b]
    public static func above(_ a: Double, upTo b: Double) -> Interval { Interval(lower: a, upper: b, includesLower: false, includesUpper: true) }
}

extension ParameterRange {
    static var flagExpectation: String { "true or false (or 1 or 0)" }

    /// A finite real number in `interval`.
    public static func number(_ name: String, _ field: KeyPath<Settings, Double>, _ interval: Interval) -> Self {
        Self(name, expected: "a number in \(interval)", accepts: { interval.contains($0[keyPath: field]) },
             value: { "\($0[keyPath: field])" })
    }

    /// A number in `interval`, or absent (SB3's `None`).
    public static func optionalNumber(_ name: String, _ field: KeyPath<Settings, Double?>, _ interval: Interval) -> Self {
        Self(name, expected: "a number in \(interval) or none", accepts: { $0[keyPath: field].map(interval.contains) ?? true },
             value: { $0[keyPath: field].map { "\($0)" } ?? "none" })
    }

    /// A schedule whose initial value lies in `interval`.
    public static func schedule(_ name: String, _ field: KeyPath<Settings, ScheduledValue>, _ interval: Interval) -> Self {
        Self(name, expected: "a number in \(interval) (or lin_<number>)", accepts: { interval.contains($0[keyPath: field].initial) },
             value: { $0[keyPath: field].description })
    }

    /// An integer in `range`.
    public static func integer(_ name: String, _ field: KeyPath<Settings, Int>, _ range: ClosedRange<Int>) -> Self {
        Self(name, expected: "an integer in \(range.lowerBound)…\(range.upperBound)", accepts: { range.contains($0[keyPath: field]) },
             value: { "\($0[keyPath: field])" })
    }

    /// Hidden-layer sizes: one to `maxLayers` layers, each of a size in `sizes`.
    public static func layers(_ name: String, _ field: KeyPath<Settings, [Int]>, sizes: ClosedRange<Int>, maxLayers: Int = 16) -> Self {
        Self(name, expected: "1 to \(maxLayers) layer sizes, each in \(sizes.lowerBound)…\(sizes.upperBound), separated by commas",
             accepts: { let layers = $0[keyPath: field]; return (1...maxLayers).contains(layers.count) && layers.allSatisfy(sizes.contains) },
             value: { $0[keyPath: field].map(String.init).joined(separator: ",") })
    }

    /// A switch: every value is valid (listed so that every field has its entry).
    public static func flag(_ name: String, _ field: KeyPath<Settings, Bool>) -> Self {
        Self(name, expected: flagExpectation, accepts: { _ in true }, value: { "\($0[keyPath: field])" })
    }
}

/// Settings whose every field has a declared range: `validate()` checks them, then the
/// checks that tie fields together (`crossChecks`).
public protocol RangeChecked {
    static var ranges: [ParameterRange<Self>] { get }
    /// Conditions between fields (for example `batch_size ≤ n_steps × n_envs`); none by default.
    func crossChecks() throws
}

extension RangeChecked {
    public func crossChecks() throws {}

    /// Throws `HyperparameterError.invalid` naming the first field out of its range.
    public func checkRanges() throws {
        for range in Self.ranges where !range.accepts(self) {
            throw HyperparameterError.invalid(name: range.name, value: range.value(self), expected: range.expected)
        }
        try crossChecks()
    }

    /// What `name` accepts, for an error about a value of the wrong type.
    public static func expected(for name: String) -> String? { ranges.first { $0.name == name }?.expected }
}

/// The largest counts a hyper-parameter may hold: far above any published setting, far below
/// where a product of two of them could overflow an `Int`.
public enum Limits {
    public static let environments = 4096
    public static let steps = 1 << 40
    public static let batch = 1 << 24
    public static let layerSize = 1 << 16
}
