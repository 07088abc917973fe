import Foundation
import Testing

@Suite("Sweeps, tuning and sharded benches from the command line")
struct SweepCommandTests {
    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-cli-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The runs of a bench folder without their wall times, which differ from run to run.
    func scores(_ folder: URL) throws -> [String] {
        let text = try String(contentsOf: folder.appendingPathComponent("runs.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            var object = try CLI.json(String(line))
            object["wallSeconds"] = nil
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
    }

    @Test func aShardedBenchMergesToTheUnshardedTable() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let common = ["bench", "her", "--bits", "4,6", "--seeds", "2", "--steps", "1500", "--point-mass-seeds", "0"]
        let whole = try CLI.run(common + ["--output", root.appendingPathComponent("whole").path])
        #expect(whole.status == 0, "\(whole.stderr)")
        for i in 0..<3 {
            let part = try CLI.run(common + ["--shard", "\(i)/3", "--output", root.appendingPathComponent("part\(i)").path])
            #expect(part.status == 0, "\(part.stderr)")
        }
        #expect(try scores(root.appendingPathComponent("part1")).count == 3)  // places 1, 4, 7 of 8
        let parts = (0..<3).map { root.appendingPathComponent("part\($0)").path }.joined(separator: ",")
        let merged = try CLI.run(common + ["--merge", parts, "--output", root.appendingPathComponent("merged").path])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try scores(root.appendingPathComponent("merged")) == (try scores(root.appendingPathComponent("whole"))))
        // A part that has not finished is named, not skipped.
        let missing = try CLI.run(common + ["--merge", parts + "," + root.appendingPathComponent("nope").path, "--output", root.path + "/m2"])
        #expect(missing.status != 0 && missing.stderr.contains("nope/runs.jsonl is missing"))
    }

    @Test func theSuttonBartoFiguresMergeFromShards() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let common = ["bench", "sutton-barto", "--only", "ex3.5,fig4.1,ex6.2"]
        #expect(try CLI.run(common + ["--output", root.path + "/whole"]).status == 0)
        for i in 0..<2 { #expect(try CLI.run(common + ["--shard", "\(i)/2", "--output", root.path + "/part\(i)"]).status == 0) }
        let merged = try CLI.run(common + ["--merge", root.path + "/part0," + root.path + "/part1", "--output", root.path + "/merged"])
        #expect(merged.status == 0, "\(merged.stderr)")
        for figure in ["ex3.5", "fig4.1", "ex6.2"] {
            // Everything but the time each figure took.
            func page(_ folder: String) throws -> String {
                try String(contentsOfFile: "\(root.path)/\(folder)/\(figure).md", encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("Time") }.joined()
            }
            #expect(try page("merged") == page("whole"))
        }
    }

    @Test(arguments: [
        (["bench", "classic", "--shard", "2/2"], "--shard must be I/N"),
        (["bench", "offline", "--shard", "0/2", "--merge", "x"], "give one"),
        (["sweep", "run", "/nonexistent/spec.yml", "--task", "0"], "cannot read the sweep spec"),
        (["tune", "--agent", "td3", "--env", "Pendulum-v1", "--trials", "2", "--steps", "100", "--storage", "sqlite:///x.db", "--optuna", "/bin/true"],
         "no search space for 'td3'"),
        (["tune", "--agent", "ppo", "--env", "Nope-v0", "--trials", "2", "--steps", "100", "--storage", "sqlite:///x.db", "--optuna", "/bin/true"],
         "unknown environment id 'Nope-v0'"),
        (["tune", "--agent", "ppo", "--env", "CartPole-v1", "--trials", "2", "--steps", "100", "--storage", "s", "--optuna", "/nonexistent"],
         "is not an executable"),
        (["sweep", "slurm", "x.yml", "--cpus-per-task", "0"], "--cpus-per-task must be in 1…4096"),
    ])
    func badInputIsOneLine(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func aLocalSweepRunsEveryTaskAndMerges() throws {
        let root = try scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let spec = root.appendingPathComponent("tiny.yml")
        try Data("""
            name: tiny
            agents: [ppo]
            envs: [CartPole-v1]
            seeds: 2
            steps: 256
            set: {n_steps: 64, batch_size: 64, n_epochs: 1, learning_rate: [0.001, 0.0003]}
            evaluations: 2
            eval_episodes: 1
            final_episodes: 2
            """.utf8).write(to: spec)
        let plan = try CLI.run(["sweep", "plan", spec.path, "--root", root.path, "--json"])
        let planned = try CLI.json(plan.stdout)["tasks"] as? [Any]
        #expect(plan.status == 0 && planned?.count == 4)
        for runner in [["--xargs"], []] {
            try? FileManager.default.removeItem(at: root.appendingPathComponent("tiny"))
            let local = try CLI.run(["sweep", "local", spec.path, "--root", root.path, "--jobs", "2"] + runner)
            #expect(local.status == 0, "\(local.stderr)")
            #expect(local.stdout.contains("| ppo CartPole-v1 learning_rate=0.0003 | 2 |"))
            let status = try CLI.run(["sweep", "status", spec.path, "--root", root.path])
            #expect(status.stdout.contains("4 done, 0 running, 0 partial, 0 pending"))
        }
        // Running a finished task again is a no-op that says so.
        let again = try CLI.run(["sweep", "run", spec.path, "--root", root.path, "--task", "1"])
        #expect(again.status == 0 && again.stdout.contains("was already done"))
        let script = try CLI.run(["sweep", "slurm", spec.path, "--root", root.path, "--tasks", "0,3"])
        #expect(script.status == 0)
        let text = try String(contentsOf: root.appendingPathComponent("tiny/sweep.sbatch"), encoding: .utf8)
        #expect(text.contains("#SBATCH --array=0,3\n"))
    }
}
