import Foundation
import Random
import Tensor

/// How the next token is chosen, with Hugging Face `generate`'s meanings: temperature (0 =
/// greedy, argmax), then top-k (0 = off), then top-p (nucleus; 1 = off); stop after the stop
/// token or `maximumNewTokens`.
public struct SamplingSettings: Codable, Equatable, Sendable {
    public var temperature: Float
    public var topK: Int
    public var topP: Float
    public var maximumNewTokens: Int
    public var stopToken: Int?

    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1, maximumNewTokens: Int = 6, stopToken: Int? = nil) {
        (self.temperature, self.topK, self.topP, self.maximumNewTokens, self.stopToken) =
            (temperature, topK, topP, maximumNewTokens, stopToken)
    }

    public static func greedy(maximumNewTokens: Int = 6, stopToken: Int? = nil) -> SamplingSettings {
        SamplingSettings(temperature: 0, maximumNewTokens: maximumNewTokens, stopToken: stopToken)
    }

    public func validated(vocabularySize: Int) throws -> SamplingSettings {
        func require(_ ok: Bool, _ message: String) throws {
            if !ok { throw TinyLMError.invalidConfiguration(message) }
        }
        try require(temperature >= 0 && temperature.isFinite, "temperature \(temperature) must be a finite number ≥ 0")
        try require(topK >= 0, "top_k \(topK) must be ≥ 0 (0 turns it off)")
        try require(topP > 0 && topP <= 1, "top_p \(topP) must be in (0, 1]")
        try require(maximumNewTokens >= 1, "max_new_tokens \(maximumNewTokens) must be ≥ 1")
        if let stopToken { try require((0..<vocabularySize).contains(stopToken), "stop token \(stopToken) is not in the vocabulary") }
        return self
    }
}

/// One generated continuation: its tokens up to and including the stop token, and the model's
/// probability of each (at temperature 1, before any filtering: what `watch` shows).
public struct Completion: Equatable, Sendable {
    public var tokens: [Int]
    public var probabilities: [Float]
    /// It ended with the stop token (not by running out of new tokens).
    public var stopped: Bool
}

extension GPT {
    /// Continues every prompt (all of one length) with the KV cache, batched: one forward of
    /// the distinct prompts, then one position per step for all rows until every row has stopped.
    public func generate(_ prompts: [[Int]], settings: SamplingSettings,
                         using generator: inout RandomGenerator) throws -> [Completion] {
        let settings = try settings.validated(vocabularySize: configuration.vocabularySize)
        guard let length = prompts.first?.count, length > 0, prompts.allSatisfy({ $0.count == length }) else {
            throw TinyLMError.invalidInput("generate needs prompts of one non-zero length")
        }
        guard prompts.allSatisfy({ $0.allSatisfy { (0..<configuration.vocabularySize).contains($0) } }) else {
            throw TinyLMError.invalidInput("a prompt holds a token id outside the vocabulary (0..<\(configuration.vocabularySize))")
        }
        guard length + settings.maximumNewTokens <= configuration.contextLength else {
            throw TinyLMError.invalidInput("prompt length \(length) + \(settings.maximumNewTokens) new tokens exceed the context of \(configuration.contextLength)")
        }
        // Rows with the same prompt (G samples of each in RL) share one prefill of it.
        let distinct = SharedPrefixes(prompts, length: length)
        var cache = KeyValueCache(layers: configuration.layers)
        var completions = Array(repeating: Completion(tokens: [], probabilities: [], stopped: false), count: prompts.count)
        var logits = self(distinct.prefixes, cache: &cache)
        if distinct.isWorthwhile {
            cache = cache.selectingRows(distinct.owner)
            logits = withoutGrad { logits.slice(alongAxis: 1, (length - 1)..<length).indexSelect(distinct.owner) }  // [B, 1, V]
        }
        let vocabulary = configuration.vocabularySize
        for step in 0..<settings.maximumNewTokens {
            let time = logits.shape[1]
            let last = logits.slice(alongAxis: 1, (time - 1)..<time)  // [B, 1, V]
            var next = [Int](repeating: 0, count: prompts.count)
            last.withUnsafeBufferPointer { all in
                for row in prompts.indices where !completions[row].stopped {
                    let rowLogits = UnsafeBufferPointer(rebasing: all[(row * vocabulary)..<((row + 1) * vocabulary)])
                    let token = settings.chooseToken(rowLogits, using: &generator)
                    next[row] = token
                    completions[row].tokens.append(token)
                    completions[row].probabilities.append(probability(of: token, in: rowLogits))
                    if token == settings.stopToken { completions[row].stopped = true }
                }
            }
            if completions.allSatisfy(\.stopped) || step == settings.maximumNewTokens - 1 { break }
            // Finished rows keep decoding a placeholder that nobody reads: the batch stays rectangular.
            logits = self(next.map { [$0] }, cache: &cache)
        }
        return completions
    }
}

private func probability(of token: Int, in logits: UnsafeBufferPointer<Float>) -> Float {
    let m = logits.max() ?? 0
    let total = logits.reduce(Float(0)) { $0 + Foundation.exp($1 - m) }
    return Foundation.exp(logits[token] - m) / total
}

extension SamplingSettings {
    /// The next token for one row of logits.
    public func chooseToken(_ logits: UnsafeBufferPointer<Float>, using generator: inout RandomGenerator) -> Int {
        if temperature == 0 {
            var best = 0
            for i in logits.indices where logits[i] > logits[best] { best = i }  // the first maximum, as argmax
            return best
        }
        // Filtering needs the candidates in descending logit order (ties keep the lower id first);
        // plain sampling draws over the ids as they are.
        var order = Array(logits.indices)
        if (topK > 0 && topK < order.count) || topP < 1 {
            order.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        }
        if topK > 0 && topK < order.count { order.removeLast(order.count - topK) }
        let m = (logits.max() ?? 0) / temperature
        var weights = order.map { Double(Foundation.exp(logits[$0] / temperature - m)) }
        var total = weights.reduce(0, +)
        if topP < 1 {
            // The smallest prefix whose probability reaches top_p (at least one token).
            var cumulative = 0.0, keep = 0
            while keep < weights.count {
                cumulative += weights[keep] / total
                keep += 1
                if cumulative >= Double(topP) { break }
            }
            weights.removeLast(weights.count - keep)
            order.removeLast(order.count - keep)
            total = weights.reduce(0, +)
        }
        var threshold = generator.nextUniformDouble() * total
        for (i, weight) in weights.enumerated() {
            threshold -= weight
            if threshold < 0 { return order[i] }
        }
        return order[weights.count - 1]
    }
}
