import Foundation
import RL
import Tensor

/// One reproduced figure of Sutton & Barto (2nd ed.): our numbers beside the book's, with the
/// tolerance they must agree within, and the curves to plot.
public struct BookFigure: Sendable {
    public let id: String
    public let title: String
    /// Named scalar results: ours and the book's (the same keys; nil where the book prints no number).
    public let ours: [(String, Double)]
    public let book: [(String, Double?)]
    public let tolerance: Double
    /// Extra condition the book states (an ordering), already evaluated.
    public let claimHolds: Bool
    public let claim: String
    /// Curves over an x axis (steps, episodes), by name.
    public let curves: [(name: String, values: [Double])]
    public let xLabel: String, yLabel: String
    public var seconds: Double = 0
    /// A value table laid out as its gridworld (ours, and the book's where printed).
    public var grid: (rows: Int, columns: Int, ours: [Double], book: [Double?])?
    /// Lines of further results (a policy, say) for the report.
    public var notes: [String] = []
    /// The book's axis ranges for the curves (nil: from the data).
    public var xRange: ClosedRange<Double>?, yRange: ClosedRange<Double>?
    /// The x of each curve's first value (1: the first step or episode; 0: before the first episode).
    public var firstX = 1.0

    /// The figure drawn on the book's axes.
    func onAxes(x: ClosedRange<Double>? = nil, y: ClosedRange<Double>? = nil, firstX: Double = 1) -> BookFigure {
        var figure = self
        (figure.xRange, figure.yRange, figure.firstX) = (x, y, firstX)
        return figure
    }

    public init(id: String, title: String, ours: [(String, Double)], book: [(String, Double?)], tolerance: Double,
                claimHolds: Bool, claim: String, curves: [(name: String, values: [Double])], xLabel: String, yLabel: String) {
        self.id = id
        self.title = title
        self.ours = ours
        self.book = book
        self.tolerance = tolerance
        self.claimHolds = claimHolds
        self.claim = claim
        self.curves = curves
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    public var ok: Bool {
        claimHolds && zip(ours, book).allSatisfy { ours, book in book.1.map { Swift.abs(ours.1 - $0) <= tolerance } ?? true }
    }
}

/// The chapter 2–8 examples that `athanor bench sutton-barto` reproduces. Each figure's function
/// builds its environment, runs the book's experiment with the book's parameters, and reports.
/// Published values: ../shared/reference/published.md (from the book's figures and examples).
public enum SuttonBartoSuite {
    public static let ids = ["ex3.5", "fig3.5", "fig4.1", "ex4.3", "fig2.2", "fig2.3", "fig2.4", "fig2.5",
                             "ex6.2", "ex6.5", "ex6.6", "fig8.2"]

    /// Runs one figure by id.
    public static func run(_ id: String) -> BookFigure {
        let start = Date()
        var figure: BookFigure
        switch id {
        case "ex3.5": figure = example3_5()
        case "fig3.5": figure = figure3_5()
        case "fig4.1": figure = figure4_1()
        case "ex4.3": figure = example4_3()
        case "fig2.2": figure = figure2_2()
        case "fig2.3": figure = figure2_3()
        case "fig2.4": figure = figure2_4()
        case "fig2.5": figure = figure2_5()
        case "ex6.2": figure = example6_2()
        case "ex6.5": figure = example6_5()
        case "ex6.6": figure = example6_6()
        default: figure = figure8_2()
        }
        figure.seconds = Date().timeIntervalSince(start)
        return figure
    }
}
