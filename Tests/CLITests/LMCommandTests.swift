import Foundation
import Testing

/// `athanor lm`: the commands a user runs on the tiny GPT, end to end through the binary, and their bad input.
@Suite("athanor lm")
struct LMCommandTests {
    private static func folder(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("athanor-lm-cli-\(UUID().uuidString)-\(name)").path
    }

    private static let small = ["--set", "n_embd=32", "--set", "n_layer=1", "--set", "n_head=2", "--set", "eval_freq=20"]

    @Test func pretrainThenFineTuneThenScoreSampleAndExport() throws {
        let (pretrained, tuned, exported) = (Self.folder("pretrain"), Self.folder("grpo"), Self.folder("hf"))
        defer { for path in [pretrained, tuned, exported] { try? FileManager.default.removeItem(atPath: path) } }

        let pretrain = try CLI.run(["lm", "pretrain", "--task", "addition", "--steps", "40", "--out", pretrained, "--quiet", "--json"] + Self.small)
        #expect(pretrain.status == 0, "\(pretrain.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(pretrain.stdout.utf8)) as? [String: Any])
        #expect(summary["steps"] as? Int == 40 && (summary["tokens_per_s"] as? Double ?? 0) > 0)

        let rl = try CLI.run(["lm", "rl", "--algo", "rloo", "--model", pretrained, "--steps", "2", "--out", tuned, "--quiet", "--json",
                              "--set", "per_device_train_batch_size=16"])
        #expect(rl.status == 0, "\(rl.stderr)")
        let header = try String(contentsOfFile: tuned + "/metrics.csv", encoding: .utf8).split(separator: "\n").first ?? ""
        for column in ["charts/reward", "losses/kl", "losses/entropy", "losses/clip_fraction", "charts/completion_length", "charts/frac_reward_zero_std"] {
            #expect(header.contains(column), "metrics.csv has no \(column)")
        }
        let config = try String(contentsOfFile: tuned + "/config.json", encoding: .utf8)
        #expect(config.contains("\"trainer\" : \"rloo\"") && config.contains("\"per_device_train_batch_size\" : 16"))

        let resumed = try CLI.run(["lm", "rl", "--resume", tuned, "--quiet", "--json"])
        #expect(resumed.status == 0 && resumed.stdout.contains("\"steps\":2"), "\(resumed.stderr)")
        let wrongKind = try CLI.run(["lm", "pretrain", "--resume", tuned])
        #expect(wrongKind.status != 0 && wrongKind.stderr.contains("holds a rloo run: continue it with athanor lm rl --resume"), "\(wrongKind.stderr)")

        let eval = try CLI.run(["lm", "eval", tuned, "--samples", "2", "--json"])
        #expect(eval.status == 0 && eval.stdout.contains("carry_samples"), "\(eval.stderr)")

        let sample = try CLI.run(["lm", "sample", tuned, "--prompt", "123+456=", "--samples", "3", "--json"])
        let completions = try #require((try JSONSerialization.jsonObject(with: Data(sample.stdout.utf8)) as? [String: Any])?["completions"] as? [[String: Any]])
        #expect(completions.count == 3 && completions.allSatisfy { ($0["probabilities"] as? [Double])?.allSatisfy { $0 > 0 && $0 <= 1 } == true })

        // watch draws completions token by token; headless, a screenshot of the fifth frame.
        let picture = tuned + "/watch.png"
        let watched = try CLI.run(["watch", "--run", tuned, "--episodes", "2", "--screenshot", picture, "--after", "4"])
        #expect(watched.status == 0 && FileManager.default.fileExists(atPath: picture), "\(watched.stderr)")

        let export = try CLI.run(["lm", "export", tuned, "--format", "hf", "--out", exported])
        #expect(export.status == 0 && FileManager.default.fileExists(atPath: exported + "/model.safetensors"), "\(export.stderr)")
        // The export loads back as the same model: the same greedy completions.
        let fromRun = try CLI.run(["lm", "sample", tuned, "--temperature", "0", "--count", "16", "--json"])
        let fromExport = try CLI.run(["lm", "sample", exported, "--temperature", "0", "--count", "16", "--json"])
        #expect(fromRun.status == 0 && fromRun.stdout == fromExport.stdout)
    }

    @Test(arguments: [
        (["lm", "rl", "--algo", "ppo", "--model", "x"], "unknown algorithm 'ppo'"),
        (["lm", "rl", "--algo", "grpo"], "--model is required"),
        (["lm", "rl", "--model", "/nonexistent/model"], "neither a language-model run folder nor a Hugging Face folder"),
        (["lm", "rl", "--model", "x", "--set", "algo=rloo"], "choose the algorithm with --algo"),
        (["lm", "rl", "--resume", "/tmp", "--algo", "rloo"], "drop --model and --algo"),
        (["lm", "pretrain", "--task", "addition", "--set", "learning_rate=2"], "learning_rate=2.0 is invalid"),
        (["lm", "pretrain", "--task", "addition", "--set", "n_head=3"], "divisor of n_embd=128"),
        (["lm", "pretrain", "--task", "multiplication"], "unknown task 'multiplication'"),
        (["lm", "pretrain"], "give --task addition or --corpus FILE"),
        (["lm", "pretrain", "--corpus", "/nonexistent.txt"], "cannot read the corpus"),
        (["lm", "pretrain", "--resume", "/tmp", "--set", "n_layer=2"], "--resume continues a run with its own settings"),
        (["lm", "pretrain", "--resume", "/tmp", "--seed", "3"], "drop --steps, --set, --seed"),
        (["lm", "eval", "/nonexistent"], "neither a language-model run folder nor a Hugging Face folder"),
        (["lm", "export", "/nonexistent", "--format", "onnx", "--out", "/tmp/x"], "unknown format 'onnx'"),
        (["lm", "sample", "/nonexistent", "--count", "0"], "--count must be in"),
    ])
    func badInputIsOneLine(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
    }

    @Test func aDeepAgentRunIsNotALanguageModel() throws {
        let run = Self.folder("ppo")
        defer { try? FileManager.default.removeItem(atPath: run) }
        #expect(try CLI.run(["train", "--agent", "ppo", "--env", "CartPole-v1", "--steps", "256", "--out", run, "--quiet", "--eval-episodes", "1"]).status == 0)
        let result = try CLI.run(["lm", "eval", run])
        #expect(result.status != 0 && result.stderr.contains("not a language-model run"), "\(result.stderr)")
    }
}
