import Benchmarks
import Testing

@Suite("The Sutton & Barto benchmark suite")
struct BenchSuiteTests {
    // The bandit figures take a few seconds each and are covered by BanditTests.
    @Test(arguments: ["ex3.5", "fig3.5", "fig4.1", "ex4.3", "ex6.2", "ex6.5", "ex6.6", "fig8.2"])
    func figureAgreesWithTheBook(id: String) {
        let figure = SuttonBartoSuite.run(id)
        #expect(figure.ok, "\(id): ours \(figure.ours) vs book \(figure.book); \(figure.claim)")
        #expect(figure.ours.map(\.0) == figure.book.map(\.0))
    }

    @Test func aWrongValueFailsTheFigure() {
        let wrong = BookFigure(id: "x", title: "", ours: [("a", 1.0)], book: [("a", 1.2)], tolerance: 0.1, claimHolds: true,
                               claim: "", curves: [], xLabel: "", yLabel: "")
        #expect(!wrong.ok)
    }
}
