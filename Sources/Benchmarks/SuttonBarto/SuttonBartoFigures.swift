import Agents
import Environments
import Foundation
import RL
import Tensor

// The experiments, each with the book's parameters; the book's numbers come from
// ../shared/reference/published.md.

extension SuttonBartoSuite {
    static let gridLabels5 = (0..<25).map { "v(\($0 / 5),\($0 % 5))" }

    static func example3_5() -> BookFigure {
        let v = evaluatePolicy(GridWorld.suttonBarto5x5(), policy: uniformPolicy(states: 25, actions: 4), gamma: 0.9).values
        let book: [Double] = [3.3, 8.8, 4.4, 5.3, 1.5, 1.5, 3.0, 2.3, 1.9, 0.5, 0.1, 0.7, 0.7, 0.4, -0.4,
                              -1.0, -0.4, -0.4, -0.6, -1.2, -1.9, -1.3, -1.2, -1.4, -2.0]
        var figure = BookFigure(id: "ex3.5", title: "Example 3.5 / Figure 3.2: v_π of the equiprobable random policy, γ = 0.9",
                                ours: zip(gridLabels5, v).map { ($0, $1) }, book: zip(gridLabels5, book).map { ($0, $1) },
                                tolerance: 0.05, claimHolds: true, claim: "",
                                curves: [], xLabel: "", yLabel: "")
        figure.grid = (5, 5, v, book)
        return figure
    }

    static func figure3_5() -> BookFigure {
        let result = valueIteration(GridWorld.suttonBarto5x5(), gamma: 0.9)
        let v = result.values
        let cells = [0, 1, 2, 3, 4, 20, 21, 22, 23, 24]
        let book: [Double] = [22.0, 24.4, 22.0, 19.4, 17.5, 14.4, 16.0, 14.4, 13.0, 11.7]
        var figure = BookFigure(id: "fig3.5", title: "Figure 3.5: v* of the 5×5 gridworld (first and last rows), γ = 0.9",
                          ours: cells.map { (gridLabels5[$0], v[$0]) }, book: zip(cells, book).map { (gridLabels5[$0], $1) },
                          tolerance: 0.05, claimHolds: Swift.abs(v[1] - 10 / (1 - pow(0.9, 5))) < 1e-6,
                          claim: "v*(A) = 10 / (1 − 0.9⁵) = 24.419", curves: [], xLabel: "", yLabel: "")
        var printed = [Double?](repeating: nil, count: 25)
        for (cell, value) in zip(cells, book) { printed[cell] = value }
        figure.grid = (5, 5, v, printed)
        let arrows = ["↑", "↓", "→", "←"]
        figure.notes = ["Greedy policy (first best action; the book shows all ties): "
                        + stride(from: 0, to: 25, by: 5).map { r in result.policy[r..<(r + 5)].map { arrows[$0] }.joined() }.joined(separator: " / ")]
        return figure
    }

    static func figure4_1() -> BookFigure {
        let grid = GridWorld.suttonBarto4x4()
        let random = uniformPolicy(states: 16, actions: 4)
        let v = evaluatePolicy(grid, policy: random, gamma: 1).values
        let k2 = evaluatePolicy(grid, policy: random, gamma: 1, inPlace: false, maxSweeps: 2).values
        let book: [Double] = [0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0]
        let labels = (0..<16).map { "v(\($0))" }
        var figure = BookFigure(id: "fig4.1", title: "Figure 4.1: converged v_π of the random policy on the 4×4 gridworld, γ = 1",
                                ours: zip(labels, v).map { ($0, $1) }, book: zip(labels, book).map { ($0, $1) }, tolerance: 0.5,
                                claimHolds: k2[1] == -1.75 && k2[5] == -2, claim: "at k = 2: −1.75 next to a terminal, −2 elsewhere",
                                curves: [], xLabel: "", yLabel: "")
        figure.grid = (4, 4, v, book)
        return figure
    }

    static func example4_3() -> BookFigure {
        let result = valueIteration(Gambler(), gamma: 1, theta: 1e-9)
        var figure = BookFigure(id: "ex4.3", title: "Example 4.3: the gambler's problem, p_h = 0.4 (value iteration)",
                          ours: [("v*(25)", result.values[25]), ("v*(50)", result.values[50]), ("v*(75)", result.values[75])],
                          book: [("v*(25)", 0.16), ("v*(50)", 0.4), ("v*(75)", 0.64)], tolerance: 0.005,
                          claimHolds: zip(result.values[1..<99], result.values[2..<100]).allSatisfy { $0 <= $1 },
                          claim: "v* grows with the capital, as the book's figure shows (\(result.sweeps) sweeps to θ = 1e-9)",
                          curves: [("v*", Array(result.values[1..<100]))], xLabel: "capital", yLabel: "value")
        (figure.xRange, figure.yRange) = (0...100, 0...1)
        // Action i stakes i + 1; the first best stake is reported (the optimal stake is not unique).
        figure.notes = ["Final policy, stake for capital 1…99 (first of the optimal stakes): "
                        + result.policy[1..<100].map { String($0 + 1) }.joined(separator: " ")]
        return figure
    }

    /// 2000 tasks × 1000 steps; means over steps 901–1000.
    static func testbed<A: BanditAgent>(mean: Double = 0, runs: Int = 2000, _ agent: @escaping () -> A) -> BanditCurves {
        runBanditExperiment(runs: runs, steps: 1000, seed: 1, environment: { GaussianBandit(arms: 10, mean: mean) },
                            optimalAction: { $0.optimalAction }, agent: agent)
    }

    static func banditFigure(id: String, title: String, _ rows: [(String, BanditCurves, Double, Double)], tolerance: Double,
                             claim: String = "", claimHolds: Bool = true) -> BookFigure {
        var ours: [(String, Double)] = [], book: [(String, Double)] = []
        for (name, curves, reward, optimal) in rows {
            let tail = curves.average(901...1000)
            ours += [("\(name) reward", tail.reward), ("\(name) optimal", tail.optimal)]
            book += [("\(name) reward", reward), ("\(name) optimal", optimal)]
        }
        let curves = rows.flatMap { [("\($0.0) % optimal", $0.1.optimalActionFraction.map { 100 * $0 })] }
        return BookFigure(id: id, title: title, ours: ours, book: book, tolerance: tolerance, claimHolds: claimHolds,
                          claim: claim, curves: curves, xLabel: "steps", yLabel: "% optimal action").onAxes(x: 0...1000, y: 0...100)
    }

    static func figure2_2() -> BookFigure {
        banditFigure(id: "fig2.2", title: "Figure 2.2: ε-greedy on the 10-armed testbed (2000 runs, steps 901–1000)", [
            ("ε = 0", testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0) }, 1.03, 0.36),
            ("ε = 0.01", testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0.01) }, 1.32, 0.60),
            ("ε = 0.1", testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0.1) }, 1.36, 0.80),
        ], tolerance: 0.06)
    }

    static func figure2_3() -> BookFigure {
        banditFigure(id: "fig2.3", title: "Figure 2.3: optimistic Q₁ = 5, ε = 0 vs realistic Q₁ = 0, ε = 0.1 (α = 0.1)", [
            ("optimistic", testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0, stepSize: 0.1, initialValue: 5) }, 1.50, 0.85),
            ("realistic", testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0.1, stepSize: 0.1) }, 1.35, 0.76),
        ], tolerance: 0.05)
    }

    static func figure2_4() -> BookFigure {
        banditFigure(id: "fig2.4", title: "Figure 2.4: UCB c = 2 vs ε-greedy ε = 0.1", [
            ("UCB c = 2", testbed { UCBBandit(arms: 10, c: 2) }, 1.49, 0.86),
            ("ε = 0.1", testbed { EpsilonGreedyBandit(arms: 10, epsilon: 0.1) }, 1.36, 0.80),
        ], tolerance: 0.06)
    }

    static func figure2_5() -> BookFigure {
        let runs = [(0.1, true), (0.4, true), (0.1, false), (0.4, false)].map { alpha, baseline in
            (alpha, baseline, testbed(mean: 4, runs: 1000) { GradientBandit(arms: 10, alpha: alpha, baseline: baseline) })
        }
        let rows = runs.map { ($0.0, $0.1, $0.2.average(901...1000).optimal) }
        let withBaseline = rows.filter(\.1).map(\.2), without = rows.filter { !$0.1 }.map(\.2)
        return BookFigure(id: "fig2.5", title: "Figure 2.5: gradient bandit, q* ~ N(4, 1), with and without baseline (1000 runs)",
                          ours: rows.map { ("α = \($0.0)\($0.1 ? "" : " no baseline") % optimal", 100 * $0.2) },
                          book: rows.map { ("α = \($0.0)\($0.1 ? "" : " no baseline") % optimal", nil) }, tolerance: 0,
                          claimHolds: withBaseline.min()! > without.max()!,
                          claim: "every baseline curve above every no-baseline curve (the figure's point; no numbers are published)",
                          curves: runs.map { ("α = \($0.0)\($0.1 ? " with" : " without") baseline", $0.2.optimalActionFraction.map { 100 * $0 }) },
                          xLabel: "steps", yLabel: "% optimal action").onAxes(x: 0...1000, y: 0...100)
    }

    static func example6_2() -> BookFigure {
        func rms(_ method: Prediction.Method, _ alpha: Double) -> [Double] {
            var curve = [Double](repeating: 0, count: 101)
            for run in 0..<100 {
                var walk = RandomWalk()
                var episode = 0
                func error(_ v: [Double]) -> Double {
                    (zip(v[1...5], RandomWalk().trueValues).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 5).squareRoot()
                }
                curve[0] += error(Array(repeating: 0.5, count: 7)) / 100
                _ = Prediction.evaluate(&walk, method: method, episodes: 100, seed: UInt64(run), alpha: alpha, initialValue: 0.5,
                                        onEpisode: { v in
                                            episode += 1
                                            curve[episode] += error(v) / 100
                                        })
            }
            return curve
        }
        let settings: [(String, Prediction.Method, Double, Double)] = [
            ("TD α = 0.15", .temporalDifference, 0.15, 0.069), ("TD α = 0.1", .temporalDifference, 0.1, 0.055),
            ("TD α = 0.05", .temporalDifference, 0.05, 0.036), ("MC α = 0.01", .monteCarlo, 0.01, 0.101),
            ("MC α = 0.02", .monteCarlo, 0.02, 0.080), ("MC α = 0.03", .monteCarlo, 0.03, 0.092), ("MC α = 0.04", .monteCarlo, 0.04, 0.113),
        ]
        let curves = settings.map { ($0.0, rms($0.1, $0.2)) }
        return BookFigure(id: "ex6.2", title: "Example 6.2: random walk, RMS error after 100 episodes (100 runs)",
                          ours: curves.map { ($0.0, $0.1[100]) }, book: settings.map { ($0.0, $0.3) }, tolerance: 0.02,
                          claimHolds: curves[2].1[100] < curves[4].1[100], claim: "TD (α = 0.05) below the best MC",
                          curves: curves.map { (name: $0.0, values: $0.1) }, xLabel: "episodes", yLabel: "RMS error").onAxes(x: 0...100, y: 0...0.25, firstX: 0)
    }

    static func example6_5() -> BookFigure {
        let h = TabularHyperparameters(alpha: 0.5, epsilon: 0.1, gamma: 1)
        var counts: [Double] = []
        var curve: [Double] = []
        for seed in 0..<10 {
            var windy = GridWorld.windy()
            let run = SARSA.train(&windy, episodes: 10_000, seed: UInt64(seed), hyperparameters: h, maxTotalSteps: 8000)
            counts.append(Double(run.episodeLengths.count - 1))
            if seed == 0 {
                var steps = 0
                curve = run.episodeLengths.map { steps += $0; return Double(steps) }
            }
        }
        let mean = counts.reduce(0, +) / Double(counts.count)
        var figure = BookFigure(id: "ex6.5", title: "Example 6.5: SARSA on the windy gridworld, episodes completed in 8000 steps (mean of 10 runs)",
                                ours: [("episodes by step 8000", mean)], book: [("episodes by step 8000", 170)], tolerance: 30,
                                claimHolds: true, claim: "", curves: [("time steps (run 0)", curve)], xLabel: "episodes", yLabel: "time steps")
        figure.notes = ["The book shows one run; single runs here range \(Int(counts.min()!))–\(Int(counts.max()!)) episodes."]
        return figure
    }

    static func example6_6() -> BookFigure {
        let h = TabularHyperparameters(alpha: 0.5, epsilon: 0.1, gamma: 1)
        func curve(_ train: (inout CliffWalking, UInt64) -> TabularRun) -> [Double] {
            var sum = [Double](repeating: 0, count: 500)
            for seed in 0..<50 {
                var cliff = CliffWalking()
                for (i, r) in train(&cliff, UInt64(seed)).episodeReturns.enumerated() { sum[i] += r / 50 }
            }
            return sum
        }
        let sarsa = curve { SARSA.train(&$0, episodes: 500, seed: $1, hyperparameters: h) }
        let q = curve { QLearning.train(&$0, episodes: 500, seed: $1, hyperparameters: h) }
        let tail = { (c: [Double]) in c[400..<500].reduce(0, +) / 100 }
        return BookFigure(id: "ex6.6", title: "Example 6.6: cliff walking, sum of rewards per episode (50 runs, episodes 401–500)",
                          ours: [("SARSA", tail(sarsa)), ("Q-learning", tail(q))], book: [("SARSA", -25.5), ("Q-learning", -49.5)],
                          tolerance: 6, claimHolds: tail(sarsa) > tail(q), claim: "SARSA's online return above Q-learning's",
                          // Drawn from −100 up, as the book's figure: the first episodes fall far below.
                          curves: [("SARSA", sarsa.map { Swift.max($0, -100) }), ("Q-learning", q.map { Swift.max($0, -100) })],
                          xLabel: "episodes", yLabel: "sum of rewards (from −100)").onAxes(x: 0...500, y: -100...(-25))
    }

    static func figure8_2() -> BookFigure {
        func steps(_ n: Int) -> [Double] {
            var mean = [Double](repeating: 0, count: 50)
            for run in 0..<30 {
                var maze = GridWorld.dynaMaze()
                let result = DynaQ.train(&maze, episodes: 50, seed: UInt64(run),
                                         hyperparameters: TabularHyperparameters(alpha: 0.1, epsilon: 0.1, gamma: 0.95, n: n))
                for (i, length) in result.episodeLengths.enumerated() { mean[i] += Double(length) / 30 }
            }
            return mean
        }
        let curves = [0, 5, 50].map { ("n = \($0)", steps($0)) }
        let tail = { (c: [Double]) in c[40..<50].reduce(0, +) / 10 }
        let ours = curves.map { ("\($0.0) episodes 41–50", tail($0.1)) }
        let book: [(String, Double)] = [("n = 0 episodes 41–50", 17.6), ("n = 5 episodes 41–50", 16.9), ("n = 50 episodes 41–50", 16.8)]
        let second = curves.map { String(format: "%.0f", $0.1[1]) }.joined(separator: " / ")
        return BookFigure(id: "fig8.2", title: "Figure 8.2: Dyna-Q on the maze, steps per episode (30 runs)",
                          ours: ours, book: book, tolerance: 3,
                          claimHolds: curves[0].1[1] > curves[1].1[1] && curves[1].1[1] > curves[2].1[1],
                          claim: "episode 2 takes \(second) steps for n = 0 / 5 / 50 (book ≈ 502 / 157 / 36): more planning, faster learning",
                          curves: curves.map { (name: $0.0, values: $0.1) }, xLabel: "episodes", yLabel: "steps per episode").onAxes(x: 2...50, y: 0...800)
    }
}
