import Agents
import Foundation
import NN

/// One point of a learning curve: steps done and the mean return of the last 100 episodes.
public struct CurvePoint: Codable, Sendable {
    public var steps: Int
    public var meanReturn: Double
}

/// `metrics.csv` (one row per iteration) and `metrics.jsonl` (the same, plus each finished
/// episode's return) in a run directory.
struct MetricsLog {
    let csv: FileHandle, jsonl: FileHandle
    private var header: [String]?

    init(directory: URL) throws {
        let csvURL = directory.appendingPathComponent("metrics.csv"), jsonURL = directory.appendingPathComponent("metrics.jsonl")
        for url in [csvURL, jsonURL] where !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)  // if it fails, opening it below throws
        }
        csv = try FileHandle(forWritingTo: csvURL)
        jsonl = try FileHandle(forWritingTo: jsonURL)
        try csv.seekToEnd()
        try jsonl.seekToEnd()
        let existing = (try? String(contentsOf: csvURL, encoding: .utf8)) ?? ""
        header = existing.split(separator: "\n").first.map { $0.split(separator: ",").map(String.init) }
    }

    mutating func append(_ report: TrainingReport, wall: Double, meanReturn: Double) throws {
        let names = ["steps", "wall_s", "charts/mean_return_100"] + report.metrics.map(\.name)
        let values = [Double(report.steps), wall, meanReturn] + report.metrics.map(\.value)
        if header == nil {
            header = names
            try csv.write(contentsOf: Data((names.joined(separator: ",") + "\n").utf8))
        }
        try csv.write(contentsOf: Data((values.map { $0.isFinite ? "\($0)" : "" }.joined(separator: ",") + "\n").utf8))
        var object: [String: Any] = [:]
        for (name, value) in zip(names, values) where value.isFinite { object[name] = value }
        object["steps"] = report.steps
        object["charts/episodic_return"] = report.episodes.map(\.totalReward)
        object["charts/episodic_length"] = report.episodes.map(\.length)
        try jsonl.write(contentsOf: JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) + Data("\n".utf8))
    }

    func close() throws {
        try csv.close()
        try jsonl.close()
    }

    /// Drops rows logged after `steps` (work a crash or a resume will redo); returns the
    /// learning curve kept and the returns of its last 100 episodes.
    @discardableResult
    static func truncate(_ directory: URL, toSteps steps: Int) throws -> (curve: [CurvePoint], recent: [Double]) {
        var recent: [Double] = []
        let csvURL = directory.appendingPathComponent("metrics.csv"), jsonURL = directory.appendingPathComponent("metrics.jsonl")
        var curve: [CurvePoint] = []
        if let text = try? String(contentsOf: csvURL, encoding: .utf8) {
            let lines = text.split(separator: "\n").map(String.init)
            let kept = lines.prefix(1) + lines.dropFirst().filter { (Int(Double($0.split(separator: ",", omittingEmptySubsequences: false)[0]) ?? .infinity)) <= steps }
            for line in kept.dropFirst() {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                curve.append(CurvePoint(steps: Int(Double(fields[0]) ?? 0), meanReturn: Double(fields[2]) ?? .nan))
            }
            try writeAtomically(Data((steps == 0 ? "" : kept.joined(separator: "\n") + "\n").utf8), to: csvURL)
        }
        if let text = try? String(contentsOf: jsonURL, encoding: .utf8) {
            let kept = text.split(separator: "\n").filter { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let s = object["steps"] as? Int else { return false }
                if s <= steps { recent += (object["charts/episodic_return"] as? [Double]) ?? [] }
                return s <= steps
            }
            try writeAtomically(Data((kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n").utf8), to: jsonURL)
        }
        return (curve, Array(recent.suffix(100)))
    }
}
