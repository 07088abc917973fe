import Foundation
import NN
import Random
import Tensor
import Testing
import TinyLM

/// Hugging Face's GPT2LMHeadModel on the same weights (Fixtures/make_fixtures.py): our GPT must be the same function.
@Suite struct GPTGoldenTests {
    struct Golden: Decodable {
        var input_ids: [[Int]]
        var logits: [Float]
        var logits_shape: [Int]
        var greedy_continuations: [[Int]]
    }

    @Test func logitsEqualHuggingFaceGPT2() throws {
        let golden = try loadJSON(Golden.self, "gpt2_golden.json")
        let model = try GPT.loadHuggingFace(from: try fixtureURL("gpt2_small"))
        #expect(model.configuration == GPTConfiguration(vocabularySize: 14, contextLength: 16, embedding: 32, layers: 2, heads: 4))
        let logits = model(golden.input_ids)
        #expect(logits.shape == golden.logits_shape)
        let worst = zip(logits.scalars, golden.logits).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "largest logit difference from transformers: \(worst)")
    }

    @Test func greedyGenerationEqualsHuggingFaceGenerate() throws {
        let golden = try loadJSON(Golden.self, "gpt2_golden.json")
        let model = try GPT.loadHuggingFace(from: try fixtureURL("gpt2_small"))
        var generator = RandomGenerator(seed: 0)
        let completions = try model.generate(golden.input_ids.map { Array($0.prefix(8)) },
                                             settings: .greedy(maximumNewTokens: 6), using: &generator)
        #expect(completions.map(\.tokens) == golden.greedy_continuations)
    }

    @Test func cachedDecodingEqualsTheFullForward() throws {
        let model = try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 16, embedding: 32, layers: 2, heads: 4), seed: 3)
        var generator = RandomGenerator(seed: 4)
        let tokens = (0..<3).map { _ in (0..<12).map { _ in generator.nextInt(below: 14) } }
        let full = withoutGrad { model(tokens) }   // [3, 12, 14]
        var cache = KeyValueCache(layers: 2)
        var pieces = [model(tokens.map { Array($0[0..<5]) }, cache: &cache)]  // prefill 5, then one at a time
        for t in 5..<12 { pieces.append(model(tokens.map { [$0[t]] }, cache: &cache)) }
        let cached = Tensor.concatenate(pieces, alongAxis: 1)
        #expect(cache.length == 12)
        let worst = zip(cached.scalars, full.scalars).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5, "cached and full logits differ by \(worst)")
    }

    @Test func sharedPrefixesGiveTheFullForwardsLogitsAndGradients() throws {
        // Three prompts, the first and last sampled three times each: rows 0–2, 5–7 share prefixes.
        let model = try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 16, embedding: 16, layers: 2, heads: 2), seed: 4)
        let prefixes = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 1, 2]]
        let owner = [0, 0, 0, 1, 2, 2, 2, 0]
        var generator = RandomGenerator(seed: 5)
        let continuations = owner.map { _ in (0..<4).map { _ in Int(generator.next() % 14) } }
        let sharing = SharedPrefixes(owner.map { prefixes[$0] + [0] }, length: 5)
        #expect(sharing.prefixes == prefixes && sharing.owner == owner && sharing.isWorthwhile)

        func run(_ forward: () -> Tensor) -> (logits: [Float], gradients: [Float]) {
            let logits = forward()
            model.zeroGrad()
            (logits * Tensor.normal(logits.shape, standardDeviation: 1, using: &generator)).sum().backward()
            return (logits.scalars, model.parameters.flatMap { $0.grad?.scalars ?? [] })
        }
        let seed = generator
        let full = run { model(zip(owner, continuations).map { prefixes[$0] + $1 }).slice(alongAxis: 1, 5..<9) }
        generator = seed
        let shared = run { model(prefixes: prefixes, owner: owner, continuations: continuations) }
        #expect(shared.logits.count == 8 * 4 * 14)
        let worstLogit = zip(full.logits, shared.logits).map { Swift.abs($0 - $1) }.max() ?? .infinity
        let worstGradient = zip(full.gradients, shared.gradients).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(worstLogit <= 1e-5 && worstGradient <= 1e-5, "logits differ by \(worstLogit), gradients by \(worstGradient)")
        #expect(full.gradients.count == shared.gradients.count && shared.gradients.contains { $0 != 0 })
    }

    @Test func exportRoundTripsThroughTheHuggingFaceLayout() throws {
        let model = try GPT(.addition, seed: 7)
        #expect(model.configuration.parameterCount == 799_232 && model.parameters.map(\.value.count).reduce(0, +) == 799_232)  // the anchor's figure for GPT2LMHeadModel(config), tied head
        let folder = temporaryFolder("hf-export")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.exportHuggingFace(to: folder, tokenizer: CharacterTokenizer.addition)
        let saved = try SafeTensors.read(from: folder.appendingPathComponent("model.safetensors"))
        #expect(saved["transformer.h.0.attn.c_attn.weight"]?.shape == [128, 384])  // Conv1D: [in, out]
        let reloaded = try GPT.loadHuggingFace(from: folder)
        #expect(reloaded.configuration == model.configuration)
        for ((name, a), (_, b)) in zip(model.namedParameters, reloaded.namedParameters) {
            #expect(a.value.scalars == b.value.scalars, "\(name) changed in the round trip")
        }
    }

    @Test func refusesAnUntiedHeadAndBadConfigurations() throws {
        let model = try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 8, embedding: 8, layers: 1, heads: 2), seed: 0)
        var state = model.huggingFaceStateDictionary()
        state.tensors.append(("lm_head.weight", .zeros([14, 8])))
        #expect(throws: TinyLMError.self) { try model.loadHuggingFace(state) }
        #expect(throws: TinyLMError.self) {
            try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 8, embedding: 10, layers: 1, heads: 4), seed: 0)
        }
        #expect(throws: TinyLMError.self) {
            try GPT(GPTConfiguration(vocabularySize: 0, contextLength: 8, embedding: 8, layers: 1, heads: 2), seed: 0)
        }
    }

    @Test func gptTwoInitialisationHasThePublishedScales() throws {
        let model = try GPT(.addition, seed: 1)
        func std(_ name: String) throws -> Float {
            let x = try #require(model.namedParameters.first { $0.name == name }).parameter.value.scalars
            let mean = x.reduce(0, +) / Float(x.count)
            return (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(x.count)).squareRoot()
        }
        #expect(Swift.abs(try std("transformer.wte.weight") - 0.02) < 0.002)
        #expect(Swift.abs(try std("transformer.h.0.mlp.c_proj.weight") - 0.02 / Float(8).squareRoot()) < 0.001)
    }
}

/// The anchor's model with its fused layer norms and attention against the same model in the paper's separate ops:
/// the masked answer-token loss and every parameter's gradient agree.
@Suite struct GPTFusedOpsTests {
    @Test func fusedOpsGiveThePaperFormsLossAndGradients() throws {
        let model = try GPT(.addition, seed: 9)
        var generator = RandomGenerator(seed: 2)
        let tokens = (0..<16).map { _ in (0..<12).map { _ in 1 + generator.nextInt(below: 13) } }
        let targets = (0..<(16 * 12)).map { _ in 1 + generator.nextInt(below: 13) }
        let mask = Tensor((0..<(16 * 12)).map { $0 % 12 >= 7 ? 1 : 0 }, shape: [16, 12])
        func paperForm() -> Tensor {
            let c = model.configuration.embedding
            var x = model.tokenEmbedding(tokens.flatMap { $0 }).reshaped(to: [16, 12, c]) + model.positionEmbedding(Array(0..<12))
            for block in model.blocks {
                x = x + block.attention.paperForm(block.attentionNorm.paperForm(x))
                x = x + block.mlp(block.mlpNorm.paperForm(x))
            }
            return .linear(model.finalNorm.paperForm(x), weight: model.tokenEmbedding.weight.value, bias: nil)
        }
        var results: [(loss: Float, gradients: [[Float]])] = []
        for logits in [{ model(tokens) }, paperForm] {
            model.zeroGrad()
            let loss = Loss.crossEntropy(logits: logits(), targets: targets, mask: mask)
            loss.backward()
            results.append((loss.item, model.parameters.map { $0.grad!.scalars }))
        }
        #expect(abs(results[0].loss - results[1].loss) < 1e-5)
        for (name, (fused, paper)) in zip(model.namedParameters.map(\.name), zip(results[0].gradients, results[1].gradients)) {
            let scale = paper.map(abs).max() ?? 0
            let worst = zip(fused, paper).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-3 * scale + 1e-7, "\(name): fused and paper-form gradients differ by \(worst) (scale \(scale))")
        }
    }
}
