import Foundation

/// A figure as JSON, for `bench sutton-barto --shard`/`--merge`: the tuples of `BookFigure` as objects.
extension BookFigure: Codable {
    private struct Pair: Codable { var name: String; var value: Double? }
    private struct Curve: Codable { var name: String; var values: [Double] }
    private struct Grid: Codable { var rows: Int; var columns: Int; var ours: [Double]; var book: [Double?] }
    private struct Range: Codable { var low: Double; var high: Double }
    private enum Key: String, CodingKey {
        case id, title, ours, book, tolerance, claimHolds, claim, curves, xLabel, yLabel, seconds, grid, notes, xRange, yRange, firstX
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func range(_ key: Key) throws -> ClosedRange<Double>? {
            guard let r = try c.decodeIfPresent(Range.self, forKey: key) else { return nil }
            guard r.low <= r.high else { throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "an empty range") }
            return r.low...r.high
        }
        let ours = try c.decode([Pair].self, forKey: .ours)
        guard ours.allSatisfy({ $0.value != nil }) else {
            throw DecodingError.dataCorruptedError(forKey: .ours, in: c, debugDescription: "a result without a value")
        }
        self.init(id: try c.decode(String.self, forKey: .id), title: try c.decode(String.self, forKey: .title),
                  ours: ours.map { ($0.name, $0.value ?? .nan) }, book: try c.decode([Pair].self, forKey: .book).map { ($0.name, $0.value) },
                  tolerance: try c.decode(Double.self, forKey: .tolerance), claimHolds: try c.decode(Bool.self, forKey: .claimHolds),
                  claim: try c.decode(String.self, forKey: .claim),
                  curves: try c.decode([Curve].self, forKey: .curves).map { ($0.name, $0.values) },
                  xLabel: try c.decode(String.self, forKey: .xLabel), yLabel: try c.decode(String.self, forKey: .yLabel))
        seconds = try c.decode(Double.self, forKey: .seconds)
        if let g = try c.decodeIfPresent(Grid.self, forKey: .grid) {
            guard g.rows >= 0, g.columns >= 0, g.ours.count == g.rows * g.columns, g.book.count == g.ours.count else {
                throw DecodingError.dataCorruptedError(forKey: .grid, in: c, debugDescription: "a grid whose cells do not fill it")
            }
            grid = (g.rows, g.columns, g.ours, g.book)
        }
        notes = try c.decode([String].self, forKey: .notes)
        xRange = try range(.xRange)
        yRange = try range(.yRange)
        firstX = try c.decode(Double.self, forKey: .firstX)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(ours.map { Pair(name: $0.0, value: $0.1) }, forKey: .ours)
        try c.encode(book.map { Pair(name: $0.0, value: $0.1) }, forKey: .book)
        try c.encode(tolerance, forKey: .tolerance)
        try c.encode(claimHolds, forKey: .claimHolds)
        try c.encode(claim, forKey: .claim)
        try c.encode(curves.map { Curve(name: $0.name, values: $0.values) }, forKey: .curves)
        try c.encode(xLabel, forKey: .xLabel)
        try c.encode(yLabel, forKey: .yLabel)
        try c.encode(seconds, forKey: .seconds)
        try c.encodeIfPresent(grid.map { Grid(rows: $0.rows, columns: $0.columns, ours: $0.ours, book: $0.book) }, forKey: .grid)
        try c.encode(notes, forKey: .notes)
        try c.encodeIfPresent(xRange.map { Range(low: $0.lowerBound, high: $0.upperBound) }, forKey: .xRange)
        try c.encodeIfPresent(yRange.map { Range(low: $0.lowerBound, high: $0.upperBound) }, forKey: .yRange)
        try c.encode(firstX, forKey: .firstX)
    }
}
