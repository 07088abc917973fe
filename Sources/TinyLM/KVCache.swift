import NN
import Tensor

/// The keys and values every layer computed for the tokens seen so far, so that decoding one
/// more token costs one position's work rather than the whole prefix's again.
public struct KeyValueCache {
    var keys: [Tensor?]    // per layer [B, H, L, hs]
    var values: [Tensor?]
    /// Tokens cached per row (L).
    public private(set) var length = 0

    public init(layers: Int) {
        keys = Array(repeating: nil, count: layers)
        values = Array(repeating: nil, count: layers)
    }

    func past(_ layer: Int) -> (keys: Tensor, values: Tensor)? {
        guard let k = keys[layer], let v = values[layer] else { return nil }
        return (k, v)
    }

    mutating func advance(by count: Int) { length += count }
}

extension GPT {
    /// Logits [B, t, V] for `tokens` [B][t] that follow the cached prefix, which they extend.
    /// No gradients are recorded: this is the sampling path. Prefill with the prompts, then one
    /// token at a time; the result equals the full forward over prefix + tokens (tested).
    public func callAsFunction(_ tokens: [[Int]], cache: inout KeyValueCache) -> Tensor {
        let (batch, time, start) = (tokens.count, tokens.first?.count ?? 0, cache.length)
        precondition(batch > 0 && time > 0 && start + time <= configuration.contextLength && tokens.allSatisfy { $0.count == time },
                     "cached GPT step expects rows of one length, \(start) + t ≤ \(configuration.contextLength)")
        return withoutGrad {
            let c = configuration.embedding
            let tokenVectors = tokenEmbedding(tokens.flatMap { $0 }).reshaped(to: [batch, time, c])
            var x = tokenVectors + positionEmbedding(Array(start..<(start + time)))   // [B, t, C]
            for (layer, block) in blocks.enumerated() {
                let attended = block.attention.attend(block.attentionNorm(x), past: cache.past(layer))
                (cache.keys[layer], cache.values[layer]) = (attended.keys, attended.values)
                x = x + attended.output
                x = x + block.mlp(block.mlpNorm(x))
            }
            cache.advance(by: time)
            return head(finalNorm(x))                                                   // [B, t, V]
        }
    }
}
