import Foundation
import Testing

/// Runs the `athanor` binary that `swift test` builds beside the test bundle.
struct CLI {
    static let binary: URL? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("athanor")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try #require(CLI.binary, "the athanor executable was not built next to the tests")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = workingFolder  // runs/ folders made by default land there
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// A folder of this test process's own to run the binary in.
    static let workingFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-cli-cwd-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

@Suite("The command line")
struct CLITests {
    @Test func versionAndHelp() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try CLI.run(["--help"])
        #expect(help.status == 0 && help.stdout.contains("perf") && help.stdout.contains("train"))
    }

    @Test(arguments: [
        (["env", "replay", "Nope-v0", "--actions", "1"], "unknown environment id 'Nope-v0'"),
        (["env", "replay", "CartPole-v1", "--actions", "7"], "invalid action"),
        (["env", "replay", "CartPole-v1", "--env-opt", "slippery=1", "--actions", "1"], "has no option 'slippery'"),
        (["env", "replay", "CartPole-v1", "--start", "1,2", "--actions", "1"], "invalid state"),
        (["train", "--env", "CartPole-v1", "--agent", "value-iteration"], "needs discrete states"),
        (["train", "--env", "FrozenLake-v1", "--agent", "q-learning", "--set", "lr=1"], "unknown hyper-parameter 'lr'"),
        (["perf", "--rounds", "0"], "--rounds must be in 1…1000"),
        (["train", "--env", "CartPole-v1", "--agent", "pop"], "unknown agent 'pop'"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--set", "n_step=4"], "unknown hyper-parameter 'n_step'"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--set", "gamma=2"], "gamma=2"),
        (["train", "--env", "CartPole-v1", "--agent", "dqn", "--preset", "best"], "unknown preset 'best'"),
        (["train", "--env", "FrozenLake-v1", "--agent", "dqn", "--preset", "zoo"], "no zoo preset for FrozenLake-v1"),
        (["train", "--env", "Pendulum-v1", "--agent", "dqn"], "DQN needs a Discrete action space"),
        (["train", "--resume", "/nonexistent/run"], "not a run directory"),
        (["eval", "--run", "/nonexistent/run"], "not a run directory"),
        (["bench", "classic", "--only", "Pong-v5"], "unknown entry 'Pong-v5'"),
        (["bench", "model-based", "--only", "pets@Pong-v5"], "unknown entry 'pets@Pong-v5'"),
        (["bench", "model-based", "--regime", "fast"], "--regime must be reference or reduced"),
        (["bench", "model-based", "--planning-speed", "--planned-steps", "0"], "--planned-steps must be in 1…200"),
        (["bench", "model-based", "--mbrl-python", "python3"], "--mbrl-python goes with --planning-speed"),
        (["bench", "model-based", "--planning-speed", "--report-only"], "--planning-speed times PETS at the reference settings"),
        (["bench", "model-based", "--planning-speed", "--shard", "0/2"], "--planning-speed times PETS at the reference settings"),
        (["bench", "model-based", "--mbrl-script", "x.py"], "--mbrl-script goes with --mbrl-python"),
        (["bench", "model-based", "--planning-speed", "--mbrl-python", "python3", "--mbrl-script", "/nonexistent/pets.py"], "--mbrl-script: no file at /nonexistent/pets.py"),
        (["bench", "her", "--regime", "paper", "--anchors", "/tmp"], "--anchors runs the peer in the sb3 regime"),
        (["bench", "her", "--anchors", "/nonexistent/anchors"], "no peers/her_bitflip.py in /nonexistent/anchors"),
        (["watch", "--env", "Nope-v0", "--record", "/tmp/x.gif"], "unknown environment id 'Nope-v0'"),
        (["watch", "--env", "CartPole-v1", "--agent", "q-learning", "--record", "/tmp/x.gif"], "needs a tabular environment"),
        (["watch", "--env", "CartPole-v1", "--screenshot", "/proc/athanor-nonexistent/x.png"], "/proc/athanor-nonexistent/x.png"),
        (["watch", "--env", "CartPole-v1", "--agent", "ppo"], "unknown agent 'ppo' for watch"),
        (["train", "--env", "CartPole-v1", "--agent", "ppo", "--eval-freq=-5"], "--eval-freq must be in 0…"),
        (["train", "--env", "FrozenLake-v1", "--agent", "q-learning", "--eval-freq", "100"], "--eval-freq is for the deep agents"),
        (["watch", "--env", "CartPole-v1", "--best"], "--best needs --run DIR"),
        (["frobnicate"], "frobnicate"),
    ])
    func badInputIsOneLineAndNonZero(arguments: [String], phrase: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("athanor: ") && result.stderr.contains(phrase), "\(result.stderr)")
    }

    @Test func replayPrintsOneJSONLinePerStep() throws {
        let result = try CLI.run(["env", "replay", "CartPole-v1", "--start", "0.01,0.02,0.03,0.04", "--actions", "1,0,1"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(result.status == 0 && lines.count == 3)
        let first = try CLI.json(lines[0])
        #expect((first["obs"] as? [Double])?.count == 4 && first["reward"] as? Double == 1 && first["terminated"] as? Bool == false)
    }

    @Test func mdpDumpsGymnasiumsLayout() throws {
        let result = try CLI.run(["env", "mdp", "FrozenLake-v1", "--env-opt", "is_slippery=false", "--json"])
        let table = try #require(try CLI.json(result.stdout)["P"] as? [String: Any])
        #expect(table.count == 16)
        let entry = try #require((table["14"] as? [String: Any])?["2"] as? [[Any]])
        #expect(entry.count == 1 && (entry[0][1] as? Int) == 15 && (entry[0][2] as? Double) == 1 && (entry[0][3] as? Bool) == true)
    }

    @Test func deepTrainingCheckpointsResumesAndEvaluates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let trained = try CLI.run(["train", "--env", "CartPole-v1", "--agent", "ppo", "--steps", "4096", "--set", "n_steps=128",
                                   "--checkpoint-every", "1024", "--out", directory.path, "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let report = try CLI.json(trained.stdout)
        for key in ["eval_mean", "eval_std", "steps", "wall_s", "steps_per_s", "run_dir"] { #expect(report[key] != nil, "\(key)") }
        #expect(report["steps"] as? Int == 4096 && report["run_dir"] as? String == directory.path)
        for file in ["config.json", "metrics.csv", "metrics.jsonl", "checkpoint.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
        let rows = try String(contentsOf: directory.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 1 + 4096 / 128 && rows[0].hasPrefix("steps,wall_s,charts/mean_return_100,losses/policy_loss"))

        // `eval` replays train's final evaluation: the same policy, 20 deterministic episodes, the same seed.
        let evaluated = try CLI.json(try CLI.run(["eval", "--run", directory.path, "--episodes", "20", "--deterministic", "--json"]).stdout)
        let trainMean = try #require(report["eval_mean"] as? Double)
        #expect(evaluated["mean"] as? Double == trainMean, "eval \(evaluated["mean"] ?? "nil") vs train \(trainMean)")
        #expect((evaluated["returns"] as? [Double])?.count == 20)

        // A finished run resumes to the same place; a damaged checkpoint is one clear error.
        let resumed = try CLI.json(try CLI.run(["train", "--resume", directory.path, "--json"]).stdout)
        #expect(resumed["steps"] as? Int == 4096)
        let checkpoint = directory.appendingPathComponent("checkpoint.safetensors")
        let bytes = try Data(contentsOf: checkpoint)
        try bytes.prefix(bytes.count / 2).write(to: checkpoint)
        let damaged = try CLI.run(["eval", "--run", directory.path])
        #expect(damaged.status != 0 && damaged.stderr.split(separator: "\n").count == 1 && damaged.stderr.contains("truncated"), "\(damaged.stderr)")
    }

    /// The README's commands that name files: its example config exists and trains; `--record`
    /// into a folder that does not exist yet makes it.
    @Test func theREADMEsFileExamplesWork() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = root.appendingPathComponent("Examples/configs/pendulum-ppo.json").path
        let trained = try CLI.run(["train", "--env", "Pendulum-v1", "--agent", "ppo", "--preset", "zoo", "--config", config,
                                   "--steps", "512", "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let hyperparameters = try CLI.json(trained.stdout)["hyperparameters"] as? [String: Any]
        #expect(hyperparameters?["n_envs"] as? Int == 8 && hyperparameters?["log_std_init"] as? Double == -1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-record-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let gif = folder.appendingPathComponent("images/nested/cartpole.gif")
        let recorded = try CLI.run(["watch", "--env", "CartPole-v1", "--agent", "random", "--episodes", "1", "--max-steps", "5",
                                    "--record", gif.path])
        #expect(recorded.status == 0 && FileManager.default.fileExists(atPath: gif.path), "\(recorded.stderr)")
    }

    /// `--config` takes a zoo file (its entry for --env), then --set; the presets are such files.
    @Test func aZooFileConfiguresARun() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let trained = try CLI.run(["train", "--env", "CartPole-v1", "--agent", "ppo", "--config", root.appendingPathComponent("hyperparams/ppo.yml").path,
                                   "--set", "n_epochs=2", "--steps", "512", "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let hyperparameters = try CLI.json(trained.stdout)["hyperparameters"] as? [String: Any]
        #expect(hyperparameters?["n_envs"] as? Int == 8 && hyperparameters?["n_steps"] as? Int == 32 && hyperparameters?["n_epochs"] as? Int == 2)
        let folder = try temporaryFolder("zoo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let sde = folder.appendingPathComponent("ppo.yml")
        try "Pendulum-v1:\n  policy: 'MlpPolicy'\n  use_sde: True\n".write(to: sde, atomically: true, encoding: .utf8)
        expectOneLineError(try CLI.run(["train", "--env", "Pendulum-v1", "--agent", "ppo", "--config", sde.path, "--steps", "64"]),
                           "Pendulum-v1.use_sde: gSDE")
        expectOneLineError(try CLI.run(["train", "--env", "Acrobot-v1", "--agent", "reinforce", "--preset", "zoo", "--steps", "64"]),
                           "no zoo preset for Acrobot-v1 (hyperparams/reinforce.yml has CartPole-v1)")
    }

    /// `plot` draws runs against environment steps, seeds of one agent as a band.
    @Test func plotDrawsRunsWithASeedBand() throws {
        let folder = try temporaryFolder("plot")
        defer { try? FileManager.default.removeItem(at: folder) }
        for seed in 0..<2 { try trainSmallRun(into: folder.appendingPathComponent("ppo_\(seed)"), extra: ["--seed", "\(seed)"]) }
        let svg = folder.appendingPathComponent("curves.svg")
        let plotted = try CLI.run(["plot", folder.appendingPathComponent("ppo_0").path, folder.appendingPathComponent("ppo_1").path, "--out", svg.path])
        #expect(plotted.status == 0 && plotted.stdout.contains("ppo on CartPole-v1 (2 seeds)"), "\(plotted.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(text.contains("environment steps") && text.contains("fill-opacity=\"0.18\"") && text.contains("(2 seeds)"))
        let png = folder.appendingPathComponent("loss.png")
        let drawn = try CLI.run(["plot", folder.appendingPathComponent("ppo_0").path, "--metric", "losses/value_loss", "--out", png.path])
        if drawn.stderr.contains("needs the SDL build") {
            expectOneLineError(drawn, "needs the SDL build")
        } else {
            #expect(drawn.status == 0 && FileManager.default.fileExists(atPath: png.path), "\(drawn.stderr)")
        }
        expectOneLineError(try CLI.run(["plot", folder.appendingPathComponent("ppo_0").path, "--metric", "nope"]), "has no column nope")
        expectOneLineError(try CLI.run(["plot", folder.path]), "is not a run directory (no config.json)")
        expectOneLineError(try CLI.run(["plot", folder.appendingPathComponent("ppo_0").path, "--out", "x.pdf"]), "--out must name a .svg or .png")
    }

    /// Without --out a run is kept all the same, in a new numbered folder (as the zoo's logs/).
    @Test func aRunWithoutOutGetsANumberedFolder() throws {
        let arguments = ["train", "--env", "MountainCar-v0", "--agent", "a2c", "--steps", "100", "--json"]
        let first = try CLI.json(try CLI.run(arguments).stdout), second = try CLI.json(try CLI.run(arguments).stdout)
        let (a, b) = (try #require(first["run_dir"] as? String), try #require(second["run_dir"] as? String))
        #expect(a.contains("/runs/a2c_MountainCar-v0_"), "\(a)")
        let n = Int(a.split(separator: "_").last ?? "") ?? 0
        #expect(b.hasSuffix("runs/a2c_MountainCar-v0_\(n + 1)"), "\(a) then \(b)")
        #expect(FileManager.default.fileExists(atPath: b + "/checkpoint.safetensors"))
    }

    @Test func periodicEvaluationKeepsTheBestModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let trained = try CLI.run(["train", "--env", "CartPole-v1", "--agent", "ppo", "--steps", "4096", "--set", "n_steps=256",
                                   "--eval-freq", "1024", "--eval-episodes", "3", "--out", directory.path, "--json"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let report = try CLI.json(trained.stdout)
        let bestSteps = try #require(report["best_eval_steps"] as? Int)
        #expect([1024, 2048, 3072, 4096].contains(bestSteps), "best at \(bestSteps)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("best.safetensors").path))
        // Four evaluations logged under SB3's name, one every 1024 steps; the other rows leave it empty.
        let rows = try String(contentsOf: directory.appendingPathComponent("metrics.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let column = try #require(rows[0].firstIndex(of: "eval/mean_reward"))
        #expect(rows.dropFirst().filter { !$0[column].isEmpty }.count == 4)
        // `eval --best` scores best.safetensors on train's final-evaluation episodes, as train reported it.
        let best = try CLI.json(try CLI.run(["eval", "--run", directory.path, "--best", "--episodes", "3", "--deterministic", "--json"]).stdout)
        #expect(best["steps"] as? Int == bestSteps && best["mean"] as? Double == report["best_eval_mean"] as? Double,
                "eval --best \(best), train \(report)")
        // A run trained without --eval-freq has no best model: one clear line.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("best.safetensors"))
        let missing = try CLI.run(["eval", "--run", directory.path, "--best"])
        #expect(missing.status != 0 && missing.stderr.contains("has no best.safetensors"), "\(missing.stderr)")
    }

    @Test func watchRecordsAGIFWithoutADisplay() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-watch-\(UUID().uuidString).gif")
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try CLI.run(["watch", "--env", "CartPole-v1", "--agent", "random", "--episodes", "1", "--max-steps", "12",
                                  "--record", url.path])
        if result.stderr.contains("needs the SDL build") { return }  // a build without the SDL trait says so and stops
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: url.path))
        #expect(result.stderr.contains("frames to \(url.path)"))
    }

    @Test func watchPlaysInAWindowAndEndsCleanly() throws {
        // SDL's offscreen video driver: a real window and renderer, no display needed.
        let result = try CLI.run(["watch", "--env", "CartPole-v1", "--episodes", "2", "--fps", "500", "--max-steps", "30"],
                                 environment: ["SDL_VIDEODRIVER": "offscreen"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        if result.stderr.contains("no window in this build") { return }  // built without the SDL trait: text instead
        #expect(lines.filter { $0.contains("athanor watch: episode") }.count == 2, "\(result.stderr)")
    }

    @Test func trainReportsTheDocumentedFields() throws {
        let tabular = try CLI.json(try CLI.run(["train", "--env", "CliffWalking-v1", "--agent", "q-learning", "--episodes", "300", "--json"]).stdout)
        #expect((tabular["episode_returns"] as? [Double])?.count == 300)
        #expect((tabular["values"] as? [Double])?.count == 48 && (tabular["policy"] as? [Int])?.count == 48)
        #expect((tabular["eval_mean"] as? Double) == -13)  // the optimal path along the cliff
        let bandit = try CLI.json(try CLI.run(["train", "--env", "KArmedBandit-v0", "--agent", "ucb", "--runs", "50",
                                               "--episodes", "200", "--json"]).stdout)
        #expect((bandit["mean_reward"] as? [Double])?.count == 200 && (bandit["optimal_action_fraction"] as? [Double])?.count == 200)
    }

    @Test func benchWritesItsTablesAndJSON() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try CLI.run(["bench", "sutton-barto", "--only", "ex3.5,ex6.6", "--output", folder.path, "--json"])
        let figures = try #require(try CLI.json(result.stdout)["figures"] as? [[String: Any]])
        #expect(figures.map { $0["id"] as? String } == ["ex3.5", "ex6.6"] && figures.allSatisfy { $0["ok"] as? Bool == true })
        for file in ["index.md", "ex3.5.md", "ex3.5.svg", "ex6.6.md", "ex6.6.csv", "ex6.6.svg"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
        }
    }

    @Test func perfJSONHasTheFixedNames() throws {
        let result = try CLI.run(["perf", "--quick", "--json", "--no-write"])
        let figures = try CLI.json(result.stdout)
        for name in ["sgemm-512-gflops", "sgemm-512-raw-gflops", "mlp-small-step-us", "mlp-large-step-us",
                     "cartpole-steps-per-s", "cartpole-vec8-steps-per-s",
                     "cartpole-vec4096-steps-per-s", "frozenlake-steps-per-s"] {
            #expect((figures[name] as? Double).map { $0 > 0 } == true, "\(name)")
        }
        #if os(Linux)
        // A training step inside a tensor pool reuses its buffers and graph nodes: after the
        // warm-up it allocates nothing (counted by interposing glibc's malloc).
        #expect(figures["mlp-small-allocs-per-step"] as? Double == 0)
        #expect(figures["mlp-large-allocs-per-step"] as? Double == 0)
        #endif
    }
}
