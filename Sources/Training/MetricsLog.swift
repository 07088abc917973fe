import Agents
import Foundation
import NN
import TensorBoard

/// One point of a learning curve: steps done and the mean return of the last 100 episodes.
public struct CurvePoint: Codable, Sendable {
    public var steps: Int
    public var meanReturn: Double
    public init(steps: Int, meanReturn: Double) { (self.steps, self.meanReturn) = (steps, meanReturn) }
}

extension Array where Element == CurvePoint {
    /// The points where the mean return changes (an episode ended), and the last: the same step plot as all
    /// the points — a reader takes the last finite point at or before a step — in a fraction of them. An
    /// off-policy agent iterates once per environment step: a 300 000-step run's full curve is 14 MB of JSON.
    public var changePoints: [CurvePoint] {
        var kept: [CurvePoint] = []
        for (index, point) in enumerated() {
            let changed = point.meanReturn.isFinite && kept.last.map { $0.meanReturn != point.meanReturn } ?? true
            if changed || index == count - 1 { kept.append(point) }
        }
        return kept
    }
}

/// `metrics.csv` (one row per iteration), `metrics.jsonl` (the same, plus each finished
/// episode's return and length) and a TensorBoard event file (the same scalars under the same
/// tags, CleanRL's, plus `charts/SPS`) in a run directory.
struct MetricsLog {
    let csv: FileHandle, jsonl: FileHandle
    let events: EventFileWriter
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
        events = try EventFileWriter.files(in: directory).last.map { try EventFileWriter(url: $0) } ?? EventFileWriter(folder: directory)
    }

    /// The run's configuration as TensorBoard text, as CleanRL logs its arguments: a two-column
    /// markdown table (TensorBoard's Text tab renders it).
    func logConfiguration(rows: [(String, String)]) throws {
        let table = "|param|value|\n|-|-|\n" + rows.map { "|\($0)|\($1.replacingOccurrences(of: "|", with: "\\|"))|" }.joined(separator: "\n")
        try events.addText("hyperparameters", table)
    }

    /// A deep agent's run as name/value rows: agent, environment, seed, budget, then each hyper-parameter.
    static func rows(describing configuration: RunConfiguration) -> [(String, String)] {
        var rows: [(String, String)] = [("agent", configuration.agent), ("env_id", configuration.environment.id),
                                        ("seed", "\(configuration.seed)"), ("total_steps", "\(configuration.totalSteps)")]
        rows += configuration.environment.options.sorted { $0.key < $1.key }.map { ("env_option_\($0.key)", $0.value) }
        return rows + Self.rows(describingJSON: configuration.hyperparameters.json)
    }

    /// A JSON object's keys and values as rows, keys sorted.
    static func rows(describingJSON json: String) -> [(String, String)] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [] }
        return object.keys.sorted().map { key in
            let value = object[key].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed, .withoutEscapingSlashes]) }
            return (key, value.map { String(decoding: $0, as: UTF8.self) } ?? "")
        }
    }

    mutating func append(_ report: TrainingReport, wall: Double, meanReturn: Double) throws {
        let names = ["steps", "wall_s", "charts/mean_return_100"] + report.metrics.map(\.name)
        let values = [Double(report.steps), wall, meanReturn] + report.metrics.map(\.value)
        if header == nil {
            header = names
            try csv.write(contentsOf: Data((names.joined(separator: ",") + "\n").utf8))
        }
        // Steps as a whole number (2048, not 2048.0); the other columns as numbers, empty when not finite.
        let fields = ["\(report.steps)"] + values.dropFirst().map { $0.isFinite ? "\($0)" : "" }
        try csv.write(contentsOf: Data((fields.joined(separator: ",") + "\n").utf8))
        var object: [String: Any] = [:]
        for (name, value) in zip(names, values) where value.isFinite { object[name] = value }
        object["steps"] = report.steps
        object["charts/episodic_return"] = report.episodes.map(\.totalReward)
        object["charts/episodic_length"] = report.episodes.map(\.length)
        try jsonl.write(contentsOf: JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
                        + Data("\n".utf8))
        let now = Date().timeIntervalSince1970
        for episode in report.episodes {
            try events.addScalar("charts/episodic_return", episode.totalReward, step: report.steps, wallTime: now)
            try events.addScalar("charts/episodic_length", Double(episode.length), step: report.steps, wallTime: now)
        }
        for (name, value) in zip(names, values).dropFirst(2) where value.isFinite {
            try events.addScalar(name, value, step: report.steps, wallTime: now)
        }
        if wall > 0 { try events.addScalar("charts/SPS", (Double(report.steps) / wall).rounded(.down), step: report.steps, wallTime: now) }
    }

    func close() throws {
        try csv.close()
        try jsonl.close()
        try events.close()
    }

    /// Drops rows logged after `steps` (work a crash or a resume will redo); returns the
    /// learning curve kept and the returns of its last 100 episodes.
    @discardableResult
    static func truncate(_ directory: URL, toSteps steps: Int) throws -> (curve: [CurvePoint], recent: [Double]) {
        var recent: [Double] = []
        let csvURL = directory.appendingPathComponent("metrics.csv"), jsonURL = directory.appendingPathComponent("metrics.jsonl")
        var curve: [CurvePoint] = []
        if let text = try? String(contentsOf: csvURL, encoding: .utf8) {
            let table = MetricsCSV(text)
            let kept = table.rows.filter { $0.steps <= steps }
            curve = kept.map { CurvePoint(steps: $0.steps, meanReturn: $0.meanReturn) }
            let lines = table.header.map { [$0] + kept.map(\.line) } ?? []
            try writeAtomically(Data((steps == 0 || lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n").utf8), to: csvURL)
        }
        if let text = try? String(contentsOf: jsonURL, encoding: .utf8) {
            let kept = text.split(separator: "\n").filter { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let s = object["steps"] as? Int else { return false }
                if s <= steps { recent += ((object["charts/episodic_return"] as? [Double]) ?? []).filter(\.isFinite) }
                return s <= steps
            }
            try writeAtomically(Data((kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n").utf8), to: jsonURL)
        }
        for file in EventFileWriter.files(in: directory) {
            if steps == 0 {
                try FileManager.default.removeItem(at: file)
                continue
            }
            // Records after `steps` go; a corrupt or cut-short tail ends the file where it starts.
            let records = EventRecords.validPrefix(of: [UInt8]((try? Data(contentsOf: file)) ?? Data()))
            let kept = records.filter { record in ((try? Event(serialized: record))??.step ?? 0) <= Int64(steps) }
            try writeAtomically(Data(kept.flatMap { EventRecords.frame(Array($0)) }), to: file)
        }
        return (curve, Array(recent.suffix(100)))
    }
}

/// `metrics.csv` read back: the header and the rows that parse. A row that does not (a line
/// cut short by a crash, or edited by hand) is dropped, as are rows whose steps do not grow.
public struct MetricsCSV: Sendable {
    public struct Row: Sendable, Equatable {
        public var steps: Int
        /// `charts/mean_return_100`; NaN before the first episode ends.
        public var meanReturn: Double
        /// The row as written.
        public var line: String
    }

    public let header: String?
    public let rows: [Row]

    public init(_ text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let first = lines.first, first.hasPrefix("steps,wall_s,charts/mean_return_100") else {
            (header, rows) = (nil, [])
            return
        }
        let width = first.split(separator: ",", omittingEmptySubsequences: false).count
        var rows: [Row] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            // Steps are written as numbers ("2048.0"); a whole, growing count is all a row may say.
            guard fields.count == width, let value = Double(fields[0]), let steps = Int(exactly: value), steps > (rows.last?.steps ?? 0),
                  fields.dropFirst().allSatisfy({ $0.isEmpty || Double($0) != nil }) else { continue }
            rows.append(Row(steps: steps, meanReturn: Double(fields[2]) ?? .nan, line: line))
        }
        (header, self.rows) = (first, rows)
    }
}
