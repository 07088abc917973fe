import Benchmarks
import Drawing
import Foundation
import Testing

@Suite("Charts as papers print them")
struct ChartTests {
    @Test func ticksFallOnRoundNumbersAndLabelsReadAsNumbers() {
        let steps = Chart(title: "", xLabel: "", yLabel: "", series: [Chart.Series(name: "a", x: [0, 93_000], y: [9, 81])])
        #expect(steps.axes.x.ticks == [0, 20_000, 40_000, 60_000, 80_000, 100_000])
        #expect(steps.axes.x.ticks.map(steps.axes.x.label) == ["0", "20k", "40k", "60k", "80k", "100k"])
        // From the data the y axis widens to round numbers; a book's axis stays as given (Figure 2.2: 0–100 %).
        #expect(steps.axes.y.range == 0...100 && steps.axes.y.ticks == [0, 20, 40, 60, 80, 100])
        let book = Chart(title: "", xLabel: "", yLabel: "", series: [Chart.Series(name: "a", values: [9, 81])], yRange: 0...100)
        #expect(book.axes.y.ticks == [0, 20, 40, 60, 80, 100])
        let negative = Chart(title: "", xLabel: "", yLabel: "", series: [Chart.Series(name: "a", values: [-0.2, 0.25])])
        #expect(negative.axes.y.ticks.map(negative.axes.y.label) == ["−0.2", "−0.1", "0.0", "0.1", "0.2", "0.3"])
    }

    @Test func seedsBecomeAMeanAndABand() {
        let runs: [[(x: Double, y: Double)]] = [[(1, 1), (2, 2)], [(1, 3), (2, 4)], [(1, 5), (2, 6)]]
        let series = Chart.seedBand(name: "ppo", runs: runs, at: [1, 2])
        #expect(series.y == [3, 4])
        #expect(series.band?.lower == [1, 2] && series.band?.upper == [5, 6])  // ±1 sd: sd of {1, 3, 5} is 2
        #expect(Chart.seedBand(name: "one", runs: [runs[0]], at: [1, 2]).band == nil)
    }

    /// x is environment steps: a 100k-step agent ends a fifth of the way along a 500k-step one.
    @Test func curvesArePlacedByEnvironmentSteps() throws {
        let chart = Chart(title: "CartPole-v1 θ", xLabel: "environment steps", yLabel: "return", series: [
            Chart.Series(name: "ppo", x: [0, 100_000], y: [20, 500], band: ([10, 480], [30, 500])),
            Chart.Series(name: "a2c", x: [0, 500_000], y: [20, 500]),
        ])
        let svg = chart.svg()
        let polylines = svg.components(separatedBy: "<polyline").dropFirst().map { line -> [Double] in
            let points = line.components(separatedBy: "points=\"")[1].components(separatedBy: "\"")[0]
            return points.split(separator: " ").compactMap { Double($0.split(separator: ",")[0]) }
        }
        let ppoEnd = try #require(polylines.first?.last), a2cEnd = try #require(polylines.last?.last), origin = try #require(polylines.first?.first)
        #expect(abs((ppoEnd - origin) / (a2cEnd - origin) - 0.2) < 0.01)
        #expect(svg.contains("fill-opacity=\"0.18\""))  // the band
        #expect(svg.contains(">100k<") && svg.contains(">500k<") && svg.contains(">ppo<") && svg.contains("CartPole-v1 θ"))

        // The canvas version: the band tints the plot, the lines are drawn in their colours.
        let canvas = chart.draw()
        let ppoBlue = Color(31, 119, 180)
        #expect(canvas.pixels.contains(ppoBlue))
        #expect(canvas.pixels.contains { $0 != .white && $0 != ppoBlue && $0.blue > $0.red && $0.red > 200 })  // light blue band
    }
}
