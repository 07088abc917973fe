import Agents
import Environments
import Foundation
import RL
import Testing

@Suite("Prediction reproduces Example 6.2")
struct PredictionTests {
    /// RMS error over A–E after `episodes`, averaged over 100 runs, values starting at 0.5.
    func rmsError(_ method: Prediction.Method, alpha: Double, episodes: Int) -> Double {
        let truth = RandomWalk().trueValues
        var total = 0.0
        for run in 0..<100 {
            var walk = RandomWalk()
            let v = Prediction.evaluate(&walk, method: method, episodes: episodes, seed: UInt64(run), alpha: alpha, initialValue: 0.5)
            let squared = zip(v[1...5], truth).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 5
            total += squared.squareRoot()
        }
        return total / 100
    }

    @Test func rmsErrorsAfter100EpisodesMatchTheBook() {
        #expect(Swift.abs(rmsError(.temporalDifference, alpha: 0.1, episodes: 0) - 0.2357) < 1e-3)
        // Published: TD α = 0.15/0.10/0.05 ≈ 0.069/0.055/0.036; MC α = 0.02/0.04 ≈ 0.080/0.113.
        let td10 = rmsError(.temporalDifference, alpha: 0.1, episodes: 100)
        let td05 = rmsError(.temporalDifference, alpha: 0.05, episodes: 100)
        let mc02 = rmsError(.monteCarlo, alpha: 0.02, episodes: 100)
        let mc04 = rmsError(.monteCarlo, alpha: 0.04, episodes: 100)
        #expect(Swift.abs(td10 - 0.055) < 0.015, "TD α=0.1: \(td10)")
        #expect(Swift.abs(td05 - 0.036) < 0.015, "TD α=0.05: \(td05)")
        #expect(Swift.abs(mc02 - 0.080) < 0.015, "MC α=0.02: \(mc02)")
        #expect(Swift.abs(mc04 - 0.113) < 0.02, "MC α=0.04: \(mc04)")
        #expect(td05 < mc02, "TD α=0.05 \(td05), MC α=0.02 \(mc02)")  // the book's point: TD learns faster here
    }
}
