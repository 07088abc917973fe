import Foundation
import Random

/// The set an observation or action lives in, as Gymnasium's `spaces`.
public enum Space: Sendable, Equatable, CustomStringConvertible {
    /// The integers 0..<n.
    case discrete(Int)
    /// Real vectors with element-wise bounds (±∞ allowed), flattened row-major from `shape`.
    case box(low: [Double], high: [Double], shape: [Int])
    /// Vectors of n bits.
    case multiBinary(Int)

    /// A box with the same bounds for every element.
    public static func box(low: Double, high: Double, shape: [Int]) -> Space {
        let count = shape.reduce(1, *)
        return .box(low: Array(repeating: low, count: count), high: Array(repeating: high, count: count), shape: shape)
    }

    /// How many numbers one element takes when written as a flat vector.
    public var flatCount: Int {
        switch self {
        case .discrete: 1
        case .box(_, _, let shape): shape.reduce(1, *)
        case .multiBinary(let n): n
        }
    }

    /// Number of discrete values (nil for continuous spaces).
    public var discreteCount: Int? {
        if case .discrete(let n) = self { return n }
        return nil
    }

    /// Whether the flat numbers describe an element of this space.
    public func contains(_ values: [Double]) -> Bool {
        guard values.count == flatCount else { return false }
        switch self {
        case .discrete(let n):
            return values[0] == values[0].rounded() && values[0] >= 0 && values[0] < Double(n)
        case .box(let low, let high, _):
            // Compare in Float, as observations are Float32 (Gymnasium's Box is float32 too).
            return zip(values, zip(low, high)).allSatisfy { v, bounds in
                Float(v) >= Float(bounds.0) && Float(v) <= Float(bounds.1) && !v.isNaN
            }
        case .multiBinary:
            return values.allSatisfy { $0 == 0 || $0 == 1 }
        }
    }

    /// A uniformly random element (bounded boxes only; unbounded axes draw N(0, 1), as Gymnasium).
    public func sample(using generator: inout RandomGenerator) -> [Double] {
        switch self {
        case .discrete(let n):
            return [Double(generator.nextInt(below: n))]
        case .box(let low, let high, _):
            return zip(low, high).map { l, h in
                switch (l.isFinite, h.isFinite) {
                case (true, true): l + (h - l) * generator.nextUniformDouble()
                case (true, false): l - Foundation.log(1 - generator.nextUniformDouble())  // exponential
                case (false, true): h + Foundation.log(1 - generator.nextUniformDouble())
                case (false, false): Double(generator.nextNormal())
                }
            }
        case .multiBinary(let n):
            return (0..<n).map { _ in Double(generator.nextInt(below: 2)) }
        }
    }

    public var description: String {
        switch self {
        case .discrete(let n): return "Discrete(\(n))"
        case .multiBinary(let n): return "MultiBinary(\(n))"
        case .box(let low, let high, let shape):
            func bound(_ values: [Double]) -> String {
                if let first = values.first, values.allSatisfy({ $0 == first }) { return format(first) }
                return "[" + values.map(format).joined(separator: ", ") + "]"
            }
            return "Box(\(bound(low)), \(bound(high)), \(shape))"
        }
    }
}

private func format(_ value: Double) -> String {
    if value == .infinity { return "inf" }
    if value == -.infinity { return "-inf" }
    return value == value.rounded() && Swift.abs(value) < 1e9 ? String(Int(value)) : String(Float(value))
}
