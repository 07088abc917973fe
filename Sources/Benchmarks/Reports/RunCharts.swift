import Foundation
import Training

/// Learning curves of run directories as a `Chart` (`athanor plot`): a metric of `metrics.csv`
/// against environment steps or wall-clock seconds. Runs of the same agent on the same
/// environment are seeds of one experiment: drawn as their mean with a ±1 standard-deviation
/// band, labelled with the seed count.
public enum RunCharts {
    public enum XAxis: String, CaseIterable, Sendable {
        case steps, time
    }

    public static func chart(runs: [URL], x: XAxis = .steps, metric: String = "charts/mean_return_100", title: String? = nil) throws -> Chart {
        guard !runs.isEmpty else { throw BenchmarkError("plot needs at least one run directory") }
        var groups: [(label: String, curves: [[(x: Double, y: Double)]])] = []
        for url in runs {
            let run = RunDirectory(url: url)
            let configuration = try run.configuration()
            guard let text = try? String(contentsOf: run.metricsCSVURL, encoding: .utf8) else {
                throw BenchmarkError("\(url.path) has no metrics.csv (has it trained?)")
            }
            let table = MetricsCSV(text)
            guard let header = table.header?.split(separator: ",").map(String.init) else {
                throw BenchmarkError("\(run.metricsCSVURL.path) is not a metrics file")
            }
            guard let column = header.firstIndex(of: metric) else {
                throw BenchmarkError("\(run.metricsCSVURL.path) has no column \(metric) (it has: \(header.dropFirst().joined(separator: ", ")))")
            }
            let curve: [(x: Double, y: Double)] = table.rows.compactMap { row in
                let fields = row.line.split(separator: ",", omittingEmptySubsequences: false)
                let xValue = x == .steps ? Double(row.steps) : Double(fields[1])
                return xValue.map { ($0, Double(fields[column]) ?? .nan) }
            }
            let label = "\(configuration.agent) on \(configuration.environment.id)"
            if let index = groups.firstIndex(where: { $0.label == label }) { groups[index].curves.append(curve) } else { groups.append((label, [curve])) }
        }
        let series = groups.map { group -> Chart.Series in
            // Read every seed at the union of their x values, so no seed's point is lost.
            let xs = Array(Set(group.curves.flatMap { $0.map(\.x) })).sorted()
            let name = group.curves.count > 1 ? "\(group.label) (\(group.curves.count) seeds)" : group.label
            return Chart.seedBand(name: name, runs: group.curves, at: xs)
        }
        let seeded = groups.contains { $0.curves.count > 1 }
        return Chart(title: title ?? (metric == "charts/mean_return_100" ? "Training return (mean of the last 100 episodes)" : metric),
                     xLabel: x == .steps ? "environment steps" : "wall-clock seconds",
                     yLabel: metric == "charts/mean_return_100" ? "return" : metric, series: series,
                     caption: seeded ? "Lines: mean over seeds; bands: ±1 standard deviation across seeds." : nil)
    }
}
