import Agents
import Environments
import Foundation
import NN
import RL
import Training

/// One run of `bench her`: DQN with or without hindsight replay on BitFlip-n, and the share of
/// 100 deterministic episodes (fresh start and goal each) that reach the goal.
public struct HERRun: Codable, Sendable {
    public var bits: Int, her: Bool, seed: UInt64, steps: Int
    public var wallSeconds: Double, success: Double
    public var millisecondsPerStep: Double { 1000 * wallSeconds / Double(steps) }
}

/// The HER paper's bit-flipping experiment (Andrychowicz et al. 2017, §4.1, Figure 1): DQN with
/// and without HER as n grows. Settings are those of the Stable-Baselines3 peer
/// (`../shared/anchors/peers/her_bitflip.py`) so that the two tables compare run for run.
public enum HERBenchmark {
    public static let defaultBits = [8, 15, 25, 40, 50]

    /// SB3's DQN settings in the peer script: one 256-unit layer, batch 128, lr 1e-3, γ 0.98,
    /// ε to 0.02 over the first 20 %, a hard target update every 500 steps, one gradient step per step.
    public static let settings = ["learning_starts=1000", "exploration_fraction=0.2", "exploration_final_eps=0.02",
                                  "learning_rate=0.001", "batch_size=128", "gamma=0.98", "buffer_size=1000000",
                                  "target_update_interval=500", "train_freq=1", "gradient_steps=1", "net_arch=256"]

    /// Which DQN the runs use: the SB3 peer's (one gradient step per environment step), or the HER
    /// paper's (Appendix A: cycles of 16 episodes then 40 gradient steps, a Polyak target update
    /// with 0.95 after each cycle, ε = 0.2 throughout).
    public enum Regime: String, Sendable, CaseIterable { case sb3, paper }

    /// The paper's cycles for n bits: 16 episodes of n steps, 40 gradient steps, τ = 0.05 — with Double DQN
    /// targets (van Hasselt et al. 2016), which the 50-bit task needs within a few million steps: on seed 0 the
    /// plain max target reached 0.42 success at 2·10⁶ steps (stop 24's probe), Double DQN ≈ 0.7 there and
    /// ≈ 1.0 by 2.8·10⁶ (this session's probe, evaluation return −24.6 ≈ −the mean start distance).
    public static func paperSettings(bits: Int) -> [String] {
        let cycle = 16 * bits
        return ["learning_starts=\(cycle)", "exploration_fraction=0", "exploration_initial_eps=0.2", "exploration_final_eps=0.2",
                "learning_rate=0.001", "batch_size=128", "gamma=0.98", "buffer_size=1000000", "train_freq=\(cycle)",
                "gradient_steps=40", "target_update_interval=\(cycle)", "tau=0.05", "net_arch=256", "double_q=true"]
    }

    public static func run(bits: Int, her: Bool, seed: UInt64, steps: Int, regime: Regime = .sb3) throws -> HERRun {
        let environment = EnvironmentReference("BitFlip-v0", options: ["n": "\(bits)"])
        let base = regime == .sb3 ? settings : paperSettings(bits: bits)
        let config = try DQNHyperparameters().setting(base + (her ? ["her=true", "n_sampled_goal=4", "goal_selection_strategy=future"] : []))
        let agent = try DQN(environment: environment.make(), config: config, seed: seed, totalSteps: steps)
        let summary = try agent.learn()
        // The same 100 evaluation episodes for every run (the generator seeded 1 000 000, as the peer's).
        let result = try evaluatePolicy(on: environment.make(), episodes: 100, seed: 1_000_000) { agent.act($0, deterministic: true) }
        // An episode that reaches the goal scores more than −n (−1 a step until then, 0 on arrival).
        let success = Double(result.returns.filter { $0 > -Double(bits) }.count) / Double(result.returns.count)
        return HERRun(bits: bits, her: her, seed: seed, steps: steps, wallSeconds: summary.wallSeconds, success: success)
    }

    /// The peer's runs (one JSON object per line: n, steps, seed, mode her|plain, success, learn_s).
    public static func peerRuns(_ url: URL) -> [HERRun] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]).flatMap(peerRun)
        }
    }

    static func peerRun(_ object: [String: Any]) -> HERRun? {
        guard let n = object["n"] as? Int, let steps = object["steps"] as? Int, let seed = object["seed"] as? Int,
              let mode = object["mode"] as? String, let success = object["success"] as? Double,
              let learn = object["learn_s"] as? Double else { return nil }
        return HERRun(bits: n, her: mode == "her", seed: UInt64(seed), steps: steps, wallSeconds: learn, success: success)
    }

    /// Stable-Baselines3 on the same cell, now, on this machine: the anchors' `peers/her_bitflip.py`
    /// (PyTorch on one thread), run right after ours so that the speed-up compares like with like.
    public static func measurePeer(bits: Int, her: Bool, seed: UInt64, steps: Int, anchors: String, python: String?) throws -> (run: HERRun, line: String) {
        let script = URL(fileURLWithPath: anchors).appendingPathComponent("peers/her_bitflip.py").standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: script) else { throw BenchmarkError("no peers/her_bitflip.py in \(anchors)") }
        let object = try runJSONCommand(anchorsInterpreter(python), arguments: [script, "\(bits)", "\(steps)", "\(seed)", her ? "her" : "plain"],
                                        what: "her_bitflip.py \(bits)")
        guard let run = peerRun(object), let line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            throw BenchmarkError("her_bitflip.py \(bits) printed no n, steps, seed, mode, success or learn_s")
        }
        return (run, String(decoding: line, as: UTF8.self))
    }
}

/// `Results/her/`: the table (success per seed, mean and range, beside the peer's), the figure
/// (success rate against n, with and without HER, a band from the worst to the best seed) and
/// the runs as CSV.
public struct HERReport {
    public let runs: [HERRun], peer: [HERRun]
    public let peerSource: String

    public let regime: HERBenchmark.Regime

    public init(runs: [HERRun], peer: [HERRun], peerSource: String, regime: HERBenchmark.Regime = .sb3) {
        (self.runs, self.peer, self.peerSource, self.regime) = (runs, peer, peerSource, regime)
    }

    func rows(_ runs: [HERRun], her: Bool) -> [(bits: Int, successes: [Double], msPerStep: Double)] {
        Set(runs.filter { $0.her == her }.map(\.bits)).sorted().map { n in
            let group = runs.filter { $0.her == her && $0.bits == n }
            return (n, group.map(\.success), group.map(\.millisecondsPerStep).reduce(0, +) / Double(group.count))
        }
    }

    public func markdownTable() -> String {
        var md = "| n bits | DQN | steps | success per seed | mean [min, max] | ms / step | SB3 (same settings) success per seed | SB3 ms / step | speed-up |\n"
        md += "|---:|---|---:|---|---:|---:|---|---:|---:|\n"
        for her in [true, false] {
            for row in rows(runs, her: her) {
                let steps = runs.first { $0.bits == row.bits && $0.her == her }?.steps ?? 0
                let theirs = peer.filter { $0.bits == row.bits && $0.her == her && $0.steps == steps }
                let mean = row.successes.reduce(0, +) / Double(row.successes.count)
                let peerMs = theirs.isEmpty ? Double.nan : theirs.map(\.millisecondsPerStep).reduce(0, +) / Double(theirs.count)
                md += "| \(row.bits) | \(her ? "+ HER" : "plain") | \(steps) | \(row.successes.map { String(format: "%.2f", $0) }.joined(separator: ", ")) | "
                md += String(format: "%.2f [%.2f, %.2f]", mean, row.successes.min() ?? .nan, row.successes.max() ?? .nan)
                md += String(format: " | %.2f | ", row.msPerStep)
                md += theirs.isEmpty ? "— | — | — |\n"
                    : theirs.map { String(format: "%.2f", $0.success) }.joined(separator: ", ") + String(format: " | %.2f | %.1f× |\n", peerMs, peerMs / row.msPerStep)
            }
        }
        return md
    }

    public var chart: Chart {
        func series(_ name: String, _ runs: [HERRun], her: Bool) -> Chart.Series? {
            let rows = rows(runs, her: her)
            guard !rows.isEmpty else { return nil }
            return Chart.Series(name: name, x: rows.map { Double($0.bits) }, y: rows.map { $0.successes.reduce(0, +) / Double($0.successes.count) },
                                band: (rows.map { $0.successes.min() ?? 0 }, rows.map { $0.successes.max() ?? 0 }))
        }
        let all = [series("DQN + HER", runs, her: true), series("DQN", runs, her: false),
                   series("SB3 DQN + HER", peer, her: true), series("SB3 DQN", peer, her: false)].compactMap { $0 }
        return Chart(title: "Bit flipping: success rate against the number of bits (HER paper, Fig. 1)", xLabel: "n bits",
                     yLabel: "success rate", series: all, xRange: 0...50, yRange: 0...1,
                     caption: "Lines: mean over seeds; bands: worst to best seed. 100 deterministic episodes per run.")
    }

    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let seeds = Set(runs.map(\.seed)).count
        var md = "# HER: bit flipping with and without hindsight experience replay\n\n\(Provenance.current.markdown)\n\n"
        let bits = Array(Set(runs.map(\.bits))).sorted(), steps = Array(Set(runs.map(\.steps))).sorted()
        var options = regime == .paper ? " --regime paper" : ""
        if bits != HERBenchmark.defaultBits { options += " --bits " + bits.map(String.init).joined(separator: ",") }
        if steps != [50_000] { options += " --steps " + steps.map(String.init).joined(separator: ",") }
        md += "Regenerate: `athanor bench her\(options)` (\(seeds) seeds per cell). Task: BitFlip-n (Andrychowicz et al. 2017, §4.1): n bits "
        md += "and a target pattern drawn at reset, action i flips bit i, reward −1 until the bits equal the target, episodes of n steps. "
        if regime == .sb3 {
            md += "DQN with the settings of the Stable-Baselines3 peer script (`../shared/anchors/peers/her_bitflip.py`: one 256-unit "
            md += "layer, batch 128, learning rate 1e-3, γ = 0.98, ε → 0.02 over 20 %, target copied every 500 steps, one gradient step "
            md += "per step); "
        } else {
            md += "DQN in the HER paper's regime (its Appendix A): cycles of 16 episodes followed by 40 gradient steps on batches of 128, "
            md += "the target network moved towards the online one with Polyak coefficient 0.95 after each cycle, ε = 0.2 throughout, "
            md += "one 256-unit layer, learning rate 1e-3, γ = 0.98, Double DQN targets (van Hasselt et al. 2016; with the plain max target "
            md += "n = 50 was at 0.42 after 2·10⁶ steps) (the SB3 peer ran only the one-step-per-step regime, so its columns stay empty); "
        }
        md += "HER with the `future` strategy and k = 4, relabelled at sampling time as SB3's `HerReplayBuffer`. "
        md += "Success: the share of 100 deterministic episodes that reach the goal. The paper: \"DQN without HER can only solve the "
        md += "task for n ≤ 13 while DQN with HER easily solves the task for n up to 50\" (with far more episodes than here). "
        md += "SB3 figures: \(peerSource), one PyTorch thread; ms / step is training wall time "
        md += "per environment step (ours: `learn`, one BLAS thread).\n\n"
        md += markdownTable() + "\n![success against n](her.svg)\n"
        if regime == .sb3 && FileManager.default.fileExists(atPath: folder.appendingPathComponent("point-mass.md").path) {
            md += "\nThe continuous task, SAC with and without HER on a point mass: [point-mass.md](point-mass.md).\n"
        }
        try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("index.md"))
        var csv = "bits,her,seed,steps,wall_s,success\n"
        for r in runs { csv += "\(r.bits),\(r.her),\(r.seed),\(r.steps),\(r.wallSeconds),\(r.success)\n" }
        try writeAtomically(Data(csv.utf8), to: folder.appendingPathComponent("runs.csv"))
        try writeAtomically(Data(chart.svg().utf8), to: folder.appendingPathComponent("her.svg"))
    }
}

/// The continuous half of `bench her`: SAC with and without hindsight replay on PointMass-v0
/// (sparse reward: −1 until the mass is inside the goal disc), `--preset zoo` (hyperparams/sac.yml),
/// the success rate over 100 deterministic episodes (`info["is_success"]` at the end).
public struct PointMassRun: Codable, Sendable {
    public var her: Bool, seed: UInt64, steps: Int, wallSeconds: Double, success: Double
}

extension HERBenchmark {
    public static func pointMassRun(her: Bool, seed: UInt64, steps: Int?) throws -> PointMassRun {
        let environment = EnvironmentReference("PointMass-v0")
        let config = try DeepAgents.configuration(agent: "sac", environmentID: "PointMass-v0", recipe: .init(preset: "zoo", settings: ["her=\(her)"]))
        let agent = try DeepAgents.make(agent: "sac", configuration: config, environment: environment.make(), seed: seed, totalSteps: steps)
        let summary = try agent.learn()
        let result = try evaluatePolicy(on: environment.make(), episodes: 100, seed: 1_000_000) { agent.act($0, deterministic: true) }
        return PointMassRun(her: her, seed: seed, steps: summary.steps, wallSeconds: summary.wallSeconds, success: result.successRate ?? 0)
    }

    /// `Results/her/point-mass.md`: success per seed, with and without HER.
    public static func writePointMass(_ runs: [PointMassRun], to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var md = "# HER on a continuous task: SAC on PointMass-v0 with and without hindsight replay\n\n\(Provenance.current.markdown)\n\n"
        md += "Regenerate: `athanor bench her` (its point-mass part). Task: a point mass on [−1, 1]² pushed by a force in [−1, 1]², "
        md += "start and goal drawn uniformly, reward −1 until it is inside the goal disc of radius 0.1, 50-step episodes that do not end "
        md += "on success (Gymnasium-Robotics' convention). SAC with `--preset zoo` (hyperparams/sac.yml: 64-unit layers, batch 128, "
        md += "learning rate 1e-3, γ 0.95, HER `future` with k = 4); success: `info[\"is_success\"]` at the end of each of 100 "
        md += "deterministic episodes (the generator seeded 1 000 000).\n\n"
        md += "| SAC | steps | success per seed | mean | s / run |\n|---|---:|---|---:|---:|\n"
        for her in [true, false] {
            let group = runs.filter { $0.her == her }
            guard !group.isEmpty else { continue }
            let successes = group.map(\.success)
            md += "| \(her ? "+ HER" : "alone") | \(group[0].steps) | \(successes.map { String(format: "%.2f", $0) }.joined(separator: ", ")) | "
            md += String(format: "%.2f | %.1f |\n", successes.reduce(0, +) / Double(successes.count), group.map(\.wallSeconds).reduce(0, +) / Double(group.count))
        }
        try writeAtomically(Data(md.utf8), to: folder.appendingPathComponent("point-mass.md"))
    }
}
