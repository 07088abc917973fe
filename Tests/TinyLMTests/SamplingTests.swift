import Foundation
import Random
import Tensor
import Testing
import TinyLM

@Suite struct SamplingTests {
    let logits: [Float] = [0.5, 2.0, -1.0, 1.0, 2.0, -3.0]

    func draw(_ settings: SamplingSettings, count: Int = 40_000, seed: UInt64 = 5) -> [Double] {
        var generator = RandomGenerator(seed: seed)
        var counts = [Double](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { row in
            for _ in 0..<count { counts[settings.chooseToken(row, using: &generator)] += 1 }
        }
        return counts.map { $0 / Double(count) }
    }

    func softmax(_ x: [Float], temperature: Float) -> [Double] {
        let e = x.map { Foundation.exp(Double($0 / temperature)) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    @Test func temperatureSamplesTheSoftmax() {
        for temperature: Float in [1, 0.5, 2] {
            let frequencies = draw(SamplingSettings(temperature: temperature))
            let expected = softmax(logits, temperature: temperature)
            for (f, p) in zip(frequencies, expected) {
                // 40,000 draws: 4.5 standard errors.
                #expect(Swift.abs(f - p) <= 4.5 * (p * (1 - p) / 40_000).squareRoot() + 1e-9, "T=\(temperature): \(frequencies) vs \(expected)")
            }
        }
    }

    @Test func topKAndTopPKeepOnlyTheirCandidates() {
        // Top-2: the two tied logits 2.0 (ids 1 and 4), half each.
        let top2 = draw(SamplingSettings(temperature: 1, topK: 2))
        #expect(top2[0] == 0 && top2[2] == 0 && top2[3] == 0 && top2[5] == 0)
        #expect(Swift.abs(top2[1] - 0.5) < 0.02)
        // Nucleus 0.5: the first tied token alone holds 0.35 < 0.5, so the second joins; nothing else.
        let nucleus = draw(SamplingSettings(temperature: 1, topP: 0.5))
        #expect(nucleus[1] > 0.45 && nucleus[4] > 0.45 && nucleus[1] + nucleus[4] == 1)
        // A tiny nucleus is greedy (the first maximum).
        #expect(draw(SamplingSettings(temperature: 1, topP: 1e-6), count: 100)[1] == 1)
        #expect(draw(.greedy(), count: 10)[1] == 1)
    }

    @Test func generationStopsAtTheStopTokenAndRefusesBadSettings() throws {
        let model = try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 16, embedding: 16, layers: 1, heads: 2), seed: 2)
        var generator = RandomGenerator(seed: 1)
        let prompts = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]]
        let completions = try model.generate(prompts, settings: SamplingSettings(temperature: 3, maximumNewTokens: 12, stopToken: 13),
                                             using: &generator)
        for completion in completions {
            #expect(completion.tokens.count == completion.probabilities.count)
            #expect(completion.tokens.dropLast().allSatisfy { $0 != 13 })
            #expect(completion.stopped == (completion.tokens.last == 13))
            #expect(completion.stopped || completion.tokens.count == 12)
            #expect(completion.probabilities.allSatisfy { $0 > 0 && $0 <= 1 })
        }
        #expect(throws: TinyLMError.self) { try model.generate(prompts, settings: SamplingSettings(maximumNewTokens: 14), using: &generator) }
        #expect(throws: TinyLMError.self) { try model.generate([[1, 2], [3]], settings: .greedy(), using: &generator) }
        #expect(throws: TinyLMError.self) { try model.generate([[1, 99]], settings: .greedy(), using: &generator) }
        #expect(throws: TinyLMError.self) { try model.generate(prompts, settings: SamplingSettings(temperature: -1), using: &generator) }
        #expect(throws: TinyLMError.self) { try model.generate(prompts, settings: SamplingSettings(topP: 0), using: &generator) }
    }

    @Test func samplesOfARepeatedPromptAreScoredAsTheFullForwardScoresThem() throws {
        // generate prefills each distinct prompt once and copies its cache to every row that repeats it.
        let model = try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 16, embedding: 16, layers: 2, heads: 2), seed: 2)
        var generator = RandomGenerator(seed: 3)
        let prompts = [[1, 2, 3], [1, 2, 3], [1, 2, 3], [4, 5, 6], [4, 5, 6], [1, 2, 3]]
        let completions = try model.generate(prompts, settings: SamplingSettings(temperature: 2, maximumNewTokens: 6), using: &generator)
        #expect(completions.count == 6 && Set(completions.map(\.tokens)).count > 2)
        for (prompt, completion) in zip(prompts, completions) {
            let logits = model([prompt + completion.tokens])  // [1, 3 + n, V]
            for (i, token) in completion.tokens.enumerated() {
                let row = logits.slice(alongAxis: 1, (2 + i)..<(3 + i)).scalars
                let m = row.max()!, total = row.reduce(Float(0)) { $0 + Foundation.exp($1 - m) }
                let expected = Foundation.exp(row[token] - m) / total
                #expect(Swift.abs(completion.probabilities[i] - expected) < 1e-5, "token \(i) of \(prompt): \(completion.probabilities[i]) vs \(expected)")
            }
        }
    }

    @Test func sameSeedSameCompletions() throws {
        let model = try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 16, embedding: 16, layers: 1, heads: 2), seed: 2)
        func run() throws -> [[Int]] {
            var generator = RandomGenerator(seed: 9)
            return try model.generate([[1, 2, 3], [3, 2, 1]], settings: SamplingSettings(maximumNewTokens: 8), using: &generator).map(\.tokens)
        }
        #expect(try run() == run())
    }
}
