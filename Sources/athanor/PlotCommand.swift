import ArgumentParser
import Benchmarks
import Foundation
import NN
import Visualizer

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Plot run directories' learning curves (runs of one agent on one environment: mean and a band across seeds).",
        discussion: """
            athanor plot runs/ppo_CartPole-v1_1 runs/ppo_CartPole-v1_2 runs/dqn_CartPole-v1_1 --out curves.svg
            x is environment steps (--x time: wall-clock seconds); y is charts/mean_return_100 or --metric, any \
            metrics.csv column. --out FILE.svg or FILE.png (PNG needs the SDL build; labels in DejaVu Sans \
            through SDL2_ttf where installed).
            """
    )
    @Argument(help: "Run directories (each with config.json and metrics.csv).") var runs: [String]
    @Option(help: "x axis: steps (environment steps) or time (wall-clock seconds).") var x = "steps"
    @Option(help: "The metrics.csv column to plot.") var metric = "charts/mean_return_100"
    @Option(help: "Title (default: what is plotted).") var title: String?
    @Option(help: "Output file, .svg or .png.") var out = "curves.svg"

    func validate() throws {
        guard RunCharts.XAxis(rawValue: x) != nil else { throw ValidationError("--x must be steps or time, not '\(x)'") }
        guard ["svg", "png"].contains(URL(fileURLWithPath: out).pathExtension.lowercased()) else {
            throw ValidationError("--out must name a .svg or .png file, not '\(out)'")
        }
    }

    func run() throws {
        let chart = try RunCharts.chart(runs: runs.map(URL.init(fileURLWithPath:)), x: RunCharts.XAxis(rawValue: x) ?? .steps,
                                        metric: metric, title: title)
        let url = URL(fileURLWithPath: out)
        try checkWritable(url)
        if url.pathExtension.lowercased() == "png" {
            installTrueTypeFont()
            try chart.draw().writePNG(to: url)
        } else {
            try writeAtomically(Data(chart.svg().utf8), to: url)
        }
        print("wrote \(out): \(chart.series.map(\.name).joined(separator: ", "))")
    }
}
