import Foundation
import Testing

func fixtureURL(_ name: String) throws -> URL {
    let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
    return try #require(Bundle.module.url(forResource: parts[0], withExtension: parts[1], subdirectory: "Fixtures"))
}

func loadJSON<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(contentsOf: fixtureURL(name)))
}

func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    let worst = zip(actual, expected).map { Swift.abs($0 - $1) - tolerance * Swift.abs($1) }.max() ?? 0
    #expect(worst <= tolerance, "\(what): off by \(worst)\n ours  \(actual)\n torch \(expected)", sourceLocation: sourceLocation)
}
