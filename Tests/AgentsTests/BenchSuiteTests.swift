import Agents
import Environments
import RL
import Testing

@Suite("The Sutton & Barto benchmark suite")
struct BenchSuiteTests {
    let book = BookEnvironments(
        gridworld5x5: { GridWorld.suttonBarto5x5() }, gridworld4x4: { GridWorld.suttonBarto4x4() },
        gambler: { Gambler() }, testbed: { AnyBandit(GaussianBandit(arms: 10, mean: $0), optimalAction: { $0.optimalAction }) },
        randomWalk: { AnyTabularEnvironment(RandomWalk()) }, randomWalkTruth: RandomWalk().trueValues,
        windy: { AnyTabularEnvironment(GridWorld.windy()) }, cliff: { AnyTabularEnvironment(CliffWalking()) },
        dynaMaze: { AnyTabularEnvironment(GridWorld.dynaMaze()) })

    // The bandit figures take a few seconds each and are covered by BanditTests.
    @Test(arguments: ["ex3.5", "fig3.5", "fig4.1", "ex4.3", "ex6.2", "ex6.5", "ex6.6", "fig8.2"])
    func figureAgreesWithTheBook(id: String) {
        let figure = SuttonBartoSuite.run(id, environments: book)
        #expect(figure.ok, "\(id): ours \(figure.ours) vs book \(figure.book); \(figure.claim)")
        #expect(figure.ours.map(\.0) == figure.book.map(\.0))
    }

    @Test func aWrongValueFailsTheFigure() {
        let wrong = BookFigure(id: "x", title: "", ours: [("a", 1.0)], book: [("a", 1.2)], tolerance: 0.1, claimHolds: true,
                               claim: "", curves: [], xLabel: "", yLabel: "")
        #expect(!wrong.ok)
    }
}
