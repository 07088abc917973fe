/// Extra facts an environment reports beside an observation, as Gymnasium's `info` dictionary:
/// empty for most environments; `is_success` for goal tasks; `episode` (with `r` and `l`) from
/// `EpisodeStatistics` when an episode ends.
public typealias Info = [String: InfoValue]

public indirect enum InfoValue: Equatable, Sendable {
    case bool(Bool)
    case number(Double)
    case string(String)
    case numbers([Double])
    case dictionary(Info)

    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var number: Double? { if case .number(let value) = self { value } else { nil } }

    /// The value as a JSON-serialisable object (for `env replay`).
    public var jsonObject: Any {
        switch self {
        case .bool(let value): value
        case .number(let value): value.isFinite ? value as Any : String(value)
        case .string(let value): value
        case .numbers(let values): values.map { $0.isFinite ? $0 as Any : String($0) }
        case .dictionary(let info): info.mapValues(\.jsonObject)
        }
    }
}

extension InfoValue: ExpressibleByBooleanLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
}
