import Agents
import Foundation
import NN
import TestSupport
import Testing
import TinyLM
import Training

private func temporaryRun(_ name: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("athanor-lm-\(UUID().uuidString)-\(name)")
}

/// A small model of the addition task: 2 layers, 2 heads, 64 wide (≈ 0.1 M parameters).
private func smallPretraining(_ extra: [String] = [], seed: UInt64 = 0, steps: Int? = nil) throws -> Pretraining {
    let settings = try PretrainingSettings().setting(["n_embd=64", "n_layer=2", "n_head=2", "eval_freq=100"] + extra)
    return try Pretraining(settings: settings, seed: seed, totalSteps: steps)
}

private func checkpointTensors(_ checkpoint: SafeTensors) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: checkpoint.tensors.map { ($0.name, $0.tensor.scalars) })
}

/// The metrics rows without the wall-clock columns (wall_s and the pretraining's train_seconds).
private func metrics(_ run: RunDirectory) throws -> [String] {
    let lines = try String(contentsOf: run.metricsCSVURL, encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",").map(String.init)
    let clock = Set(["wall_s", "charts/train_seconds"].compactMap { header.firstIndex(of: $0) })
    return lines.map { row in
        row.split(separator: ",", omittingEmptySubsequences: false).enumerated().filter { !clock.contains($0.offset) }.map(\.element).joined(separator: ",")
    }
}

@Suite("Language-model runs through the library loop")
struct LanguageModelRunTests {
    /// The small-budget learning check, on two seeds: a small GPT pretrained on the noisy teacher's
    /// corpus answers ≥ 90 % of the validation set's clean problems greedily within 3000 steps (seeds 0–6 took
    /// 600–1000 here), which is the stop rule firing.
    @Test(arguments: [UInt64(0), 1])
    func aSmallModelLearnsTheCleanSubset(seed: UInt64) throws {
        let trainer = try smallPretraining(["target_clean=0.9"], seed: seed, steps: 3000)
        let summary = try LanguageModels.learn(trainer)
        let clean = trainer.lastValidation?.clean ?? 0
        print("learning score: small GPT seed \(seed) clean \(clean) after \(summary.steps) steps")
        #expect(trainer.isFinished && clean >= 0.9, "clean-subset exact match \(clean) after \(summary.steps) steps")
    }

    @Test func pretrainingResumesExactly() throws {
        let straightURL = temporaryRun("straight"), resumedURL = temporaryRun("resumed")
        defer { for url in [straightURL, resumedURL] { try? FileManager.default.removeItem(at: url) } }
        let straight = try smallPretraining(["eval_freq=10", "n_embd=16", "batch_size=8"], steps: 30)
        try LanguageModels.learn(straight, run: RunDirectory(url: straightURL))

        let first = try smallPretraining(["eval_freq=10", "n_embd=16", "batch_size=8"], steps: 30)
        try LanguageModels.learn(first, totalSteps: 20, run: RunDirectory(url: resumedURL))  // as a crash after a checkpoint
        let resumed = try #require(try LanguageModels.load(from: RunDirectory(url: resumedURL)) as? Pretraining)
        #expect(resumed.stepsDone == 20)
        try LanguageModels.learn(resumed, run: RunDirectory(url: resumedURL))
        #expect(try checkpointTensors(resumed.checkpoint()) == checkpointTensors(straight.checkpoint()))
        #expect(try metrics(RunDirectory(url: resumedURL)) == metrics(RunDirectory(url: straightURL)))
        // The model is what GRPO starts from: a run folder loads as a GPT.
        let model = try LanguageModels.loadModel(straightURL.path)
        #expect(checkpointTensors(model.huggingFaceStateDictionary())["transformer.wte.weight"]
                == straight.model.tokenEmbedding.weight.value.scalars)
    }

    @Test func grpoResumesExactly() throws {
        let urls = (temporaryRun("model"), temporaryRun("straight"), temporaryRun("resumed"))
        defer { for url in [urls.0, urls.1, urls.2] { try? FileManager.default.removeItem(at: url) } }
        // A model that answers some problems (a third after 400 steps), so that rewards differ within groups.
        let pretraining = try smallPretraining(["target_clean=2", "eval_freq=400"], steps: 400)
        try LanguageModels.learn(pretraining)
        let base = pretraining.model
        try base.exportHuggingFace(to: urls.0, tokenizer: CharacterTokenizer.addition)
        func grpo() throws -> GRPO {
            let settings = try GRPOSettings().setting(["model=\(urls.0.path)", "per_device_train_batch_size=16", "num_generations=4",
                                                       "num_iterations=2", "max_steps=6"])
            return try GRPO(settings: settings, model: LanguageModels.loadModel(settings.model), seed: 5)
        }
        let straight = try grpo()
        try LanguageModels.learn(straight, run: RunDirectory(url: urls.1))
        let first = try grpo()
        try LanguageModels.learn(first, totalSteps: 3, run: RunDirectory(url: urls.2))
        try FileManager.default.removeItem(at: urls.0)  // the run resumes from its checkpoint alone
        let resumed = try #require(try LanguageModels.load(from: RunDirectory(url: urls.2)) as? GRPO)
        #expect(resumed.stepsDone == 3)
        try LanguageModels.learn(resumed, run: RunDirectory(url: urls.2))
        #expect(try checkpointTensors(resumed.checkpoint()) == checkpointTensors(straight.checkpoint()))
        #expect(try metrics(RunDirectory(url: urls.2)) == metrics(RunDirectory(url: urls.1)))
        // The reference stays the starting model; the policy moved.
        #expect(resumed.reference.tokenEmbedding.weight.value.scalars == base.tokenEmbedding.weight.value.scalars)
        #expect(resumed.policy.tokenEmbedding.weight.value.scalars != base.tokenEmbedding.weight.value.scalars)
    }

    @Test func badSettingsAndFilesAreOneLineErrors() throws {
        expectError("n_head=3", "divisor of n_embd=64") { _ = try smallPretraining(["n_head=3"]) }
        expectError("per_device_train_batch_size=10", "multiple of num_generations=8") {
            _ = try GRPOSettings().setting(["per_device_train_batch_size=10"])
        }
        expectError("algo=ppo") { _ = try GRPOSettings().setting(["algo=ppo"]) }
        expectError("loss_type=bnpo") { _ = try GRPOSettings().setting(["loss_type=bnpo"]) }
        expectError("cannot read the corpus") { _ = try smallPretraining(["corpus=/nonexistent/corpus.txt"]) }
        expectError("neither a language-model run folder nor a Hugging Face folder") { _ = try LanguageModels.loadModel("/nonexistent") }
        expectError("needs") { _ = try smallPretraining(["n_embd=4096", "n_layer=64", "n_positions=4096", "n_head=64"]) }
    }

    @Test func aTamperedRunFolderIsRefusedInOneLine() throws {
        let url = temporaryRun("tampered")
        defer { try? FileManager.default.removeItem(at: url) }
        try LanguageModels.learn(try smallPretraining(["n_embd=16", "batch_size=8", "eval_freq=5"], steps: 5), run: RunDirectory(url: url))
        let config = url.appendingPathComponent("config.json")
        let original = try String(contentsOf: config, encoding: .utf8)
        try original.replacingOccurrences(of: "\"total_steps\" : 5", with: "\"total_steps\" : 1000000000000000").write(to: config, atomically: true, encoding: .utf8)
        expectError("total_steps must be in") { _ = try LanguageModels.load(from: RunDirectory(url: url)) }
        try original.replacingOccurrences(of: "\"trainer\" : \"pretrain\"", with: "\"trainer\" : \"ppo\"").write(to: config, atomically: true, encoding: .utf8)
        expectError("unknown trainer 'ppo'") { _ = try LanguageModels.load(from: RunDirectory(url: url)) }
        try original.write(to: config, atomically: true, encoding: .utf8)
        _ = try LanguageModels.load(from: RunDirectory(url: url))
    }

    @Test func aTextRunRefusesAnEditedCorpus() throws {
        let (file, url) = (temporaryRun("corpus.txt"), temporaryRun("text-run"))
        defer { for u in [file, url] { try? FileManager.default.removeItem(at: u) } }
        try String(repeating: "abcdefgh ", count: 100).write(to: file, atomically: true, encoding: .utf8)
        let settings = try PretrainingSettings().setting(["corpus=\(file.path)", "n_embd=16", "n_layer=1", "n_head=2", "n_positions=8",
                                                          "batch_size=4", "eval_freq=5"])
        try LanguageModels.learn(try Pretraining(settings: settings, seed: 0, totalSteps: 5), run: RunDirectory(url: url))
        _ = try LanguageModels.load(from: RunDirectory(url: url))
        try String(repeating: "abcdefgX ", count: 100).write(to: file, atomically: true, encoding: .utf8)
        expectError("trained on another corpus") { _ = try LanguageModels.load(from: RunDirectory(url: url)) }
    }

    @Test func aTextCorpusTrainsOnBytes() throws {
        let file = temporaryRun("corpus.txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 200).write(to: file, atomically: true, encoding: .utf8)
        let trainer = try Pretraining(settings: PretrainingSettings().setting(["corpus=\(file.path)", "n_embd=32", "n_layer=1", "n_head=2",
                                                                             "n_positions=16", "batch_size=16", "eval_freq=50"]),
                                      seed: 0, totalSteps: 150)
        let before = trainer.corpus.validationLoss(trainer.model, batch: 16)
        let summary = try LanguageModels.learn(trainer)
        let after = trainer.corpus.validationLoss(trainer.model, batch: 16)
        #expect(summary.steps == 150 && trainer.model.configuration.vocabularySize == 258)
        // A repeated sentence is learnable: the held-out loss falls far below log(258) ≈ 5.55.
        #expect(before > 5 && after < 2, "validation loss \(before) → \(after)")
    }
}
