import Foundation
import NN

/// `--shard I/N`: this process runs the runs whose place in the bench's fixed order is I modulo N,
/// so N processes (machines, array tasks) share a table; `--merge` joins their outputs.
public struct Shard: Sendable, Equatable {
    public let index: Int, count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) { (self.index, self.count) = (index, count) }

    /// "I/N" with 0 ≤ I < N ≤ 100000.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let i = parts[0], let n = parts[1], (1...100_000).contains(n), (0..<n).contains(i) else {
            throw BenchmarkError("--shard must be I/N with 0 ≤ I < N (e.g. 0/4), not '\(text)'")
        }
        (index, count) = (i, n)
    }

    public func includes(_ position: Int) -> Bool { position % count == index }
}

/// The runs of a bench as JSON lines (`runs.jsonl` beside its table), which `--merge` reads back from
/// each shard's folder.
public enum ShardRuns {
    public static func write<Run: Encodable>(_ runs: [Run], to folder: URL, file: String = "runs.jsonl") throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var text = ""
        for run in runs { text += String(decoding: try encoder.encode(run), as: UTF8.self) + "\n" }
        try writeAtomically(Data(text.utf8), to: folder.appendingPathComponent(file))
    }

    /// Every folder's runs, in the folders' order (`unique(_:by:)` keeps one per key); a folder without the file, or a line that is not a
    /// run, is an error naming it (a shard that has not finished, or another bench's folder).
    public static func read<Run: Decodable>(_ type: Run.Type, from folders: [URL], file: String = "runs.jsonl",
                                           optional: Bool = false) throws -> [Run] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var runs: [Run] = []
        for folder in folders {
            let url = folder.appendingPathComponent(file)
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                if optional { continue }
                throw BenchmarkError("--merge: \(url.path) is missing (has that shard finished?)")
            }
            for (number, line) in text.split(separator: "\n").enumerated() {
                guard let run = try? decoder.decode(Run.self, from: Data(line.utf8)) else {
                    throw BenchmarkError("--merge: line \(number + 1) of \(url.path) is not a run of this bench")
                }
                runs.append(run)
            }
        }
        return runs
    }

    /// One run per key, the last folder's where several give it (a shard run again, or a part that
    /// replaces runs of an earlier table), in first-seen order.
    public static func unique<Run, Key: Hashable>(_ runs: [Run], by key: (Run) -> Key) -> [Run] {
        var latest: [Key: Run] = [:], order: [Key] = []
        for run in runs {
            let k = key(run)
            if latest[k] == nil { order.append(k) }
            latest[k] = run
        }
        return order.compactMap { latest[$0] }
    }

    /// `--merge A,B,C` as folders.
    public static func folders(_ list: String) throws -> [URL] {
        let folders = list.split(separator: ",").map { URL(fileURLWithPath: $0.trimmingCharacters(in: .whitespaces)) }
        guard !folders.isEmpty else { throw BenchmarkError("--merge needs at least one folder") }
        return folders
    }
}
