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

    /// Runs one figure by id (environments are passed in so Agents need not depend on them).
    public static func run(_ id: String, environments e: BookEnvironments) -> BookFigure {
        let start = Date()
        var figure: BookFigure
        switch id {
        case "ex3.5": figure = example3_5(e)
        case "fig3.5": figure = figure3_5(e)
        case "fig4.1": figure = figure4_1(e)
        case "ex4.3": figure = example4_3(e)
        case "fig2.2": figure = figure2_2(e)
        case "fig2.3": figure = figure2_3(e)
        case "fig2.4": figure = figure2_4(e)
        case "fig2.5": figure = figure2_5(e)
        case "ex6.2": figure = example6_2(e)
        case "ex6.5": figure = example6_5(e)
        case "ex6.6": figure = example6_6(e)
        default: figure = figure8_2(e)
        }
        figure.seconds = Date().timeIntervalSince(start)
        return figure
    }
}

/// Factories for the environments the suite needs (provided by the Environments module).
public struct BookEnvironments {
    public var gridworld5x5: () -> any TabularMDP
    public var gridworld4x4: () -> any TabularMDP
    public var gambler: () -> any TabularMDP
    public var testbed: (_ mean: Double) -> AnyBandit
    public var randomWalk: () -> AnyTabularEnvironment
    public var randomWalkTruth: [Double]
    public var windy: () -> AnyTabularEnvironment
    public var cliff: () -> AnyTabularEnvironment
    public var dynaMaze: () -> AnyTabularEnvironment

    public init(gridworld5x5: @escaping () -> any TabularMDP, gridworld4x4: @escaping () -> any TabularMDP,
                gambler: @escaping () -> any TabularMDP, testbed: @escaping (Double) -> AnyBandit,
                randomWalk: @escaping () -> AnyTabularEnvironment, randomWalkTruth: [Double],
                windy: @escaping () -> AnyTabularEnvironment, cliff: @escaping () -> AnyTabularEnvironment,
                dynaMaze: @escaping () -> AnyTabularEnvironment) {
        self.gridworld5x5 = gridworld5x5
        self.gridworld4x4 = gridworld4x4
        self.gambler = gambler
        self.testbed = testbed
        self.randomWalk = randomWalk
        self.randomWalkTruth = randomWalkTruth
        self.windy = windy
        self.cliff = cliff
        self.dynaMaze = dynaMaze
    }
}

/// A tabular environment behind a box, so the suite can take any of them.
public struct AnyTabularEnvironment: Environment {
    private var box: any Environment<Int, Int>
    public init<E: Environment>(_ environment: E) where E.Observation == Int, E.Action == Int { box = environment }
    public var observationSpace: Space { box.observationSpace }
    public var actionSpace: Space { box.actionSpace }
    public mutating func reset(seed: UInt64?) -> Int { box.reset(seed: seed) }
    public mutating func step(_ action: Int) -> Transition<Int> { box.step(action) }
}

/// A bandit behind a box, with its optimal arm.
public struct AnyBandit: Environment {
    private var box: any Environment<Int, Int>
    private let best: (any Environment<Int, Int>) -> Int
    public init<E: Environment>(_ bandit: E, optimalAction: @escaping (E) -> Int) where E.Observation == Int, E.Action == Int {
        box = bandit
        best = { optimalAction($0 as! E) }
    }
    public var observationSpace: Space { box.observationSpace }
    public var actionSpace: Space { box.actionSpace }
    public var optimalAction: Int { best(box) }
    public mutating func reset(seed: UInt64?) -> Int { box.reset(seed: seed) }
    public mutating func step(_ action: Int) -> Transition<Int> { box.step(action) }
}
