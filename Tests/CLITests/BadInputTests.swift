import Foundation
import Testing

// Issue 13's table of inputs that once trapped, aborted or answered wrongly, each run through
// the real binary: every one must now be one line on stderr and a non-zero exit (or, for a
// signal, a saved checkpoint and exit 130).

/// A fresh folder under the temporary directory, removed by the caller.
func temporaryFolder(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Reads and rewrites a safetensors file without the library: 8 bytes of header length, the
/// JSON header (tensors' dtype, shape and byte offsets; `__metadata__` strings), then the data.
struct RawSafeTensors {
    var header: [String: Any]
    var data: Data

    init(contentsOf url: URL) throws {
        let bytes = try Data(contentsOf: url)
        let length = bytes.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        header = try #require(try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + length))) as? [String: Any])
        data = bytes.subdata(in: (8 + length)..<bytes.count)
    }

    var metadata: [String: String] {
        get { header["__metadata__"] as? [String: String] ?? [:] }
        set { header["__metadata__"] = newValue }
    }

    /// Overwrites the first Float32 of tensor `name`.
    mutating func setFirstScalar(of name: String, to value: Float) throws {
        let entry = try #require(header[name] as? [String: Any], "no tensor \(name)")
        let start = try #require((entry["data_offsets"] as? [Int])?.first)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { data.replaceSubrange(start..<(start + 4), with: $0) }
    }

    func write(to url: URL) throws {
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var length = UInt64(json.count).littleEndian
        try (Data(bytes: &length, count: 8) + json + data).write(to: url)
    }
}

/// Trains a small PPO run into `folder` (256 steps, checkpoint at the end).
func trainSmallRun(into folder: URL, extra: [String] = []) throws {
    let result = try CLI.run(["train", "--env", "CartPole-v1", "--agent", "ppo", "--steps", "256", "--set", "n_steps=128",
                              "--set", "batch_size=64", "--out", folder.path] + extra)
    #expect(result.status == 0, "\(result.stderr)")
}

func expectOneLineError(_ result: (status: Int32, stdout: String, stderr: String), _ phrase: String,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    let lines = result.stderr.split(separator: "\n").filter { !$0.contains(" steps/s ") }  // drop progress lines
    #expect(result.status != 0 && result.status < 128, "exit \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
    #expect(lines.count == 1 && lines[0].hasPrefix("athanor: ") && lines[0].contains(phrase), "\(result.stderr)",
            sourceLocation: sourceLocation)
}

@Suite("No input crashes the tool")
struct BadInputTests {
    @Test(arguments: [
        // 1–3: tabular and deep hyper-parameters out of range, and sizes beyond an Int.
        (["train", "--env", "CliffWalking-v1", "--agent", "q-learning", "--episodes", "300", "--set", "alpha=1.5"], "alpha=1.5 is invalid"),
        (["train", "--env", "CliffWalking-v1", "--agent", "sarsa", "--episodes", "300", "--set", "alpha=10"], "alpha=10"),
        (["train", "--env", "FrozenLake-v1", "--agent", "q-learning", "--set", "gamma=2.0"], "gamma=2"),
        (["train", "--env", "FrozenLake-v1", "--agent", "q-learning", "--set", "alpha=-1"], "alpha=-1"),
        (["train", "--env", "FrozenLake-v1", "--agent", "q-learning", "--set", "epsilon=5"], "epsilon=5"),
        (["train", "--env", "FrozenLake-v1", "--agent", "n-step-sarsa", "--set", "n=-5"], "n=-5"),
        (["train", "--env", "FrozenLake-v1", "--agent", "n-step-sarsa", "--set", "n=0"], "at least 1 step"),
        (["train", "--env", "CartPole-v1", "--agent", "dqn", "--set", "exploration_initial_eps=5"], "exploration_initial_eps=5"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--set", "ent_coef=-100"], "ent_coef=-100"),
        (["train", "--env", "FrozenLake-v1", "--agent", "q-learning", "--set", "n=1e30"], "n=1e30"),
        (["train", "--env", "FrozenLake-v1", "--agent", "q-learning", "--set", "alpha=nan"], "alpha=nan"),
        (["train", "--env", "KArmedBandit-v0", "--agent", "epsilon-greedy", "--set", "alpha=5"], "alpha=5"),
        // 4–5: dynamic programming that cannot converge.
        (["train", "--env", "Gridworld5x5-v0", "--agent", "value-iteration", "--set", "gamma=2", "--json"], "gamma=2"),
        (["train", "--env", "Gridworld5x5-v0", "--agent", "value-iteration", "--set", "gamma=1"], "did not converge"),
        // 7: sizes too large for memory or for an Int.
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--set", "n_envs=1e12"], "n_envs=1000000000000"),
        (["train", "--env", "CartPole-v1", "--agent", "dqn", "--set", "buffer_size=1e12"], "buffer_size=1000000000000 needs"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--set", "net_arch=100000000,100000000"], "net_arch=100000000,100000000"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--set", "net_arch=60000,60000,60000"], "needs"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--set", "n_steps=4611686018427387904"], "n_steps=4611686018427387904"),
        (["train", "--env", "KArmedBandit-v0", "--agent", "epsilon-greedy", "--episodes", "9223372036854775807"], "--episodes must be in"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--steps", "9223372036854775807"], "--steps must be in"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--seed", "18446744073709551616"], "seed"),
        // 13: a start state that is not a number, or that overflows on the first step.
        (["env", "replay", "CartPole-v1", "--start", "nan,0,0,0", "--actions", "1"], "'nan' is not a finite number"),
        (["env", "replay", "CartPole-v1", "--start", "1e308,1e308,0,0", "--actions", "1"], "not finite"),
        (["env", "replay", "Pendulum-v1", "--actions", "inf"], "'inf' is not a finite number"),
        // 16: a run directory that cannot be made.
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--steps", "128", "--out", "/proc/athanor-x"], "cannot write /proc/athanor-x"),
        (["watch", "--env", "CartPole-v1", "--fps", "nan"], "--fps"),
        // Offline data: missing, foreign or mismatched datasets; flags out of range.
        (["dataset", "info", "/etc/passwd"], "not a zip archive"),
        (["dataset", "info", "/nonexistent/data.npz"], "does not exist"),
        (["train", "--env", "CartPole-v1", "--agent", "cql", "--dataset", "/nonexistent/data.npz"], "does not exist"),
        (["train", "--env", "CartPole-v1", "--agent", "bc"], "needs dataset=PATH"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--dataset", "/tmp/x.npz"], "unknown hyper-parameter 'dataset'"),
        (["dataset", "collect", "--env", "CartPole-v1", "--policy", "greedy", "--episodes", "1", "--out", "/tmp/athanor-x"], "--policy must be"),
        (["dataset", "collect", "--env", "CartPole-v1", "--episodes", "1", "--epsilon", "2", "--out", "/tmp/athanor-x"], "--epsilon"),
        (["dataset", "mix", "--env", "CartPole-v1", "--part", "nocolon", "--out", "/tmp/athanor-x"], "PATH:TRANSITIONS"),
        (["train", "--env", "Pendulum-v1", "--agent", "sac", "--set", "her=true"], "goal-conditioned environment"),
    ])
    func isOneLineAndNonZero(arguments: [String], phrase: String) throws {
        expectOneLineError(try CLI.run(arguments), phrase)
    }

    /// Found by FuzzReplay: Acrobot wrapped a huge angle by subtracting 2π billions of times.
    @Test func aStartStateFarOutsideThePhysicsStillSteps() throws {
        for start in ["0,1e20,0,0", "0.02,2,52,1000"] {
            let result = try CLI.run(["env", "replay", "Acrobot-v1", "--start", start, "--actions", "1"])
            #expect(result.status == 0 && result.stdout.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    /// 6: the largest seed trains and evaluates (seed arithmetic wraps instead of trapping).
    @Test func theLargestSeedTrainsAndEvaluates() throws {
        let folder = try temporaryFolder("seed")
        defer { try? FileManager.default.removeItem(at: folder) }
        try trainSmallRun(into: folder, extra: ["--seed", "18446744073709551615"])
        let evaluated = try CLI.run(["eval", "--run", folder.path, "--episodes", "2", "--json"])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let report = try CLI.json(evaluated.stdout)
        #expect(report["mean"] is Double)
    }

    /// 8–10: every number of a checkpoint is checked as if an attacker wrote it.
    @Test(arguments: [
        ("optimizer step NaN", "optimizer.step", Float.nan, "optimizer.step"),
        ("optimizer step 1e30", "optimizer.step", Float(1e30), "optimizer.step"),
        ("a NaN weight", "policy.actor.0.weight", Float.nan, "not finite"),
        ("an infinite weight", "policy.critic.0.bias", Float.infinity, "not finite"),
    ])
    func aTamperedCheckpointIsRefused(what: String, tensor: String, value: Float, phrase: String) throws {
        let folder = try temporaryFolder("tamper")
        defer { try? FileManager.default.removeItem(at: folder) }
        try trainSmallRun(into: folder)
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")
        var file = try RawSafeTensors(contentsOf: checkpoint)
        try file.setFirstScalar(of: tensor, to: value)
        try file.write(to: checkpoint)
        expectOneLineError(try CLI.run(["eval", "--run", folder.path]), phrase)
        expectOneLineError(try CLI.run(["train", "--resume", folder.path]), phrase)
        expectOneLineError(try CLI.run(["watch", "--run", folder.path, "--screenshot", folder.appendingPathComponent("x.png").path]), phrase)
    }

    @Test(arguments: [Int.max, -100])
    func aCheckpointsStepCountOutOfRangeIsRefused(steps: Int) throws {
        let folder = try temporaryFolder("steps")
        defer { try? FileManager.default.removeItem(at: folder) }
        try trainSmallRun(into: folder)
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")
        var file = try RawSafeTensors(contentsOf: checkpoint)
        let text = try #require(file.metadata["progress"])
        var progress = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        progress["stepsDone"] = steps
        file.metadata["progress"] = String(decoding: try JSONSerialization.data(withJSONObject: progress), as: UTF8.self)
        try file.write(to: checkpoint)
        expectOneLineError(try CLI.run(["train", "--resume", folder.path]), "steps_done = \(steps) is out of range")
    }

    /// 11: a line appended to metrics.csv by hand does not stop a resume; the row is dropped.
    @Test func aMalformedMetricsRowIsDroppedOnResume() throws {
        let folder = try temporaryFolder("metrics")
        defer { try? FileManager.default.removeItem(at: folder) }
        try trainSmallRun(into: folder)
        let metrics = folder.appendingPathComponent("metrics.csv")
        let handle = try FileHandle(forWritingTo: metrics)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("12\n1e400,x\n".utf8))
        try handle.close()
        let resumed = try CLI.run(["train", "--resume", folder.path, "--json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let report = try CLI.json(resumed.stdout)
        #expect(report["steps"] as? Int == 256)
        let rows = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 3 && !rows.contains("12"), "\(rows)")
    }

    /// 12: a run directory belongs to one run.
    @Test func aRunDirectoryBelongsToOneRun() throws {
        let folder = try temporaryFolder("owner"), other = try temporaryFolder("other")
        defer { for url in [folder, other] { try? FileManager.default.removeItem(at: url) } }
        try trainSmallRun(into: folder)
        // A second run into the same folder is refused…
        expectOneLineError(try CLI.run(["train", "--env", "CartPole-v1", "--agent", "a2c", "--steps", "100", "--out", folder.path]), "is not empty")
        // …and with --overwrite, a run killed before its first checkpoint leaves nothing of the old one to resume.
        let process = Process()
        process.executableURL = try #require(CLI.binary)
        process.arguments = ["train", "--env", "CartPole-v1", "--agent", "a2c", "--steps", "100000000", "--checkpoint-every", "0",
                             "--out", folder.path, "--overwrite"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let config = folder.appendingPathComponent("config.json")
        for _ in 0..<200 where !((try? String(contentsOf: config, encoding: .utf8))?.contains("a2c") ?? false) { usleep(50_000) }
        process.terminate()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        expectOneLineError(try CLI.run(["train", "--resume", folder.path]), "has no checkpoint.safetensors")
        // A checkpoint copied in from another run does not match this run's config.json.
        try trainSmallRun(into: other, extra: ["--seed", "7"])
        try FileManager.default.copyItem(at: other.appendingPathComponent("checkpoint.safetensors"),
                                         to: folder.appendingPathComponent("checkpoint.safetensors"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: other.appendingPathComponent("config.json"), to: folder.appendingPathComponent("config.json"))
        var configuration = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any])
        configuration["seed"] = 8
        try JSONSerialization.data(withJSONObject: configuration).write(to: config)
        expectOneLineError(try CLI.run(["eval", "--run", folder.path]), "was written by another run")
    }

    /// 14: temporary files never outlive the process that wrote them.
    @Test func noTemporaryFileIsLeftBehind() throws {
        let folder = try temporaryFolder("tmp")
        defer { try? FileManager.default.removeItem(at: folder) }
        try trainSmallRun(into: folder)
        let stale = folder.appendingPathComponent(".checkpoint.safetensors.4194000.tmp")  // above any live pid here
        try Data(repeating: 0, count: 1000).write(to: stale)
        #expect(try CLI.run(["train", "--resume", folder.path]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: stale.path))

        let blocked = folder.appendingPathComponent("x.png")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: true)
        let watched = try CLI.run(["watch", "--env", "CartPole-v1", "--screenshot", blocked.path])
        #expect(watched.status != 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// 15: Ctrl-C or SIGTERM finishes the iteration, writes the checkpoint and metrics, says
    /// where, and exits 130; the run then resumes from there.
    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalSavesTheRunAndExits130(signal: Int32) throws {
        let folder = try temporaryFolder("signal")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (process, err) = try startAthanor(["train", "--env", "CartPole-v1", "--agent", "ppo", "--steps", "100000000",
                                               "--set", "n_steps=128", "--checkpoint-every", "0", "--out", folder.path])
        let metrics = folder.appendingPathComponent("metrics.csv")
        for _ in 0..<400 where ((try? String(contentsOf: metrics, encoding: .utf8))?.split(separator: "\n").count ?? 0) < 4 {
            usleep(50_000)
        }
        kill(process.processIdentifier, signal)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("interrupted at step") && stderr.contains("--resume \(folder.path)"), "\(stderr)")
        let rows = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        let lastField = try #require(rows.last?.split(separator: ",").first)
        let lastSteps = try #require(Double(lastField))
        let metadata = try RawSafeTensors(contentsOf: folder.appendingPathComponent("checkpoint.safetensors")).metadata
        #expect(metadata["steps_done"].flatMap(Double.init) == lastSteps, "checkpoint at \(metadata["steps_done"] ?? "?"), metrics at \(lastSteps)")
        let evaluated = try CLI.run(["eval", "--run", folder.path, "--episodes", "2"])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
    }

    /// A signal during the final evaluation (training done and saved) ends it at the next step with exit
    /// 130, instead of waiting for its episodes (PETS' take minutes).
    @Test func aSignalDuringTheFinalEvaluationEndsIt() throws {
        let folder = try temporaryFolder("signal-eval")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A million evaluation episodes: hours, unless the signal stops them.
        let (process, err) = try startAthanor(["train", "--env", "CartPole-v1", "--agent", "ppo", "--steps", "256",
                                               "--set", "n_steps=128", "--eval-episodes", "1000000", "--out", folder.path])
        let checkpoint = folder.appendingPathComponent("checkpoint.safetensors")
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: checkpoint.path) { usleep(50_000) }
        usleep(200_000)  // into the evaluation
        let stderr = terminate(process, err)
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("interrupted during the final evaluation"), "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: checkpoint.path))
    }

    /// A signal during one of PETS' planned trials (minutes each at MBRL-Lib's settings) stops it at the next
    /// real step, not at the trial's end: the checkpoint holds the unfinished trial, and `--resume` finishes it.
    @Test func aSignalStopsAPlannedTrialPartWay() throws {
        let folder = try temporaryFolder("signal-pets")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["train", "--env", "Pendulum-v1", "--agent", "pets", "--checkpoint-every", "0", "--eval-episodes", "1", "--out", folder.path]
            + ["n_timesteps=600", "trial_length=300", "ensemble_size=2", "hidden_layers=1", "hidden_size=32", "epochs=1",
               "population_size=100", "num_particles=5", "planning_horizon=10"].flatMap { ["--set", $0] }
        let (process, err) = try startAthanor(arguments)
        let metrics = folder.appendingPathComponent("metrics.csv")
        func rows() -> [Substring] { ((try? String(contentsOf: metrics, encoding: .utf8)) ?? "").split(separator: "\n") }
        for _ in 0..<600 where rows().count < 2 { usleep(20_000) }  // the random trial is logged: planning starts
        let stderr = terminate(process, err)
        #expect(process.terminationStatus == 130 && stderr.contains("interrupted at step"), "\(stderr)")
        let metadata = try RawSafeTensors(contentsOf: folder.appendingPathComponent("checkpoint.safetensors")).metadata
        let stopped = try #require(metadata["steps_done"].flatMap(Int.init))
        #expect((300..<600).contains(stopped), "stopped at step \(stopped): within the planned trial (steps 300–600)")
        #expect(rows().count == 2, "only the finished random trial is logged")
        let resumed = try CLI.run(["train", "--resume", folder.path, "--eval-episodes", "1"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(rows().count == 3 && rows().last?.hasPrefix("600,") == true, "\(rows())")
    }

    /// Sends SIGTERM and waits for the exit; returns stderr. A watchdog kills the process after a minute, so a
    /// regression fails the test instead of hanging it.
    private func terminate(_ process: Process, _ err: Pipe) -> String {
        kill(process.processIdentifier, SIGTERM)
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        return stderr
    }

    /// `athanor ARGUMENTS…` started in the background, its stderr piped (for the tests that signal it).
    private func startAthanor(_ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }
}
