import NN
import Tensor

// Rows that begin with the same tokens: RL fine-tuning samples G completions of every prompt, so
// the prompt — more than half of each row in the addition task — would otherwise go through the
// network G times. Causal attention lets a prefix's positions ignore what follows them, so their
// activations, keys and values are the same in every row that shares the prefix: compute them
// once, and let each row's own positions attend to its prefix's keys and values. Gradients from
// the G rows add up in the shared positions (the backward of `indexSelect` is a scatter-add).

extension GPT {
    /// Logits [R, t, V] at the positions of `continuations` [R][t], where row r is `prefixes[owner[r]]`
    /// followed by `continuations[r]`: what the full forward over those rows gives at their last t
    /// positions (tested, with gradients), with each prefix's positions computed once.
    public func callAsFunction(prefixes: [[Int]], owner: [Int], continuations: [[Int]]) -> Tensor {
        let (count, p) = (prefixes.count, prefixes.first?.count ?? 0)
        let (rows, t) = (continuations.count, continuations.first?.count ?? 0)
        precondition(count > 0 && p > 0 && t > 0 && p + t <= configuration.contextLength
                     && prefixes.allSatisfy { $0.count == p } && continuations.allSatisfy { $0.count == t },
                     "GPT expects prefixes of one length and continuations of one length, together ≤ \(configuration.contextLength)")
        precondition(owner.count == rows && owner.allSatisfy { (0..<count).contains($0) }, "each continuation needs the index of its prefix")
        let c = configuration.embedding
        var shared = tokenEmbedding(prefixes.flatMap { $0 }).reshaped(to: [count, p, c])
            + positionEmbedding(Array(0..<p))                                                   // [N, P, C]
        var x = tokenEmbedding(continuations.flatMap { $0 }).reshaped(to: [rows, t, c])
            + positionEmbedding(Array(p..<(p + t)))                                             // [R, t, C]
        for (layer, block) in blocks.enumerated() {
            let prefix = block.attention.attend(block.attentionNorm(shared), past: nil)        // keys, values [N, H, P, hs]
            let past = (keys: prefix.keys.indexSelect(owner), values: prefix.values.indexSelect(owner))  // [R, H, P, hs]
            x = x + block.attention.attend(block.attentionNorm(x), past: past).output         // [R, t, C]
            x = x + block.mlp(block.mlpNorm(x))
            // After the last block only the continuations' positions are read.
            if layer < blocks.count - 1 {
                shared = shared + prefix.output
                shared = shared + block.mlp(block.mlpNorm(shared))
            }
        }
        return head(finalNorm(x))                                                               // [R, t, V]
    }
}

/// Rows grouped by their first tokens: the distinct prefixes in order of first appearance and, for
/// each row, the index of its prefix.
public struct SharedPrefixes: Equatable, Sendable {
    public var prefixes: [[Int]]
    public var owner: [Int]

    public init(_ rows: [[Int]], length: Int) {
        var index: [ArraySlice<Int>: Int] = [:]
        (prefixes, owner) = ([], [])
        for row in rows {
            let prefix = row.prefix(length)
            if let known = index[prefix] {
                owner.append(known)
            } else {
                index[prefix] = prefixes.count
                owner.append(prefixes.count)
                prefixes.append(Array(prefix))
            }
        }
    }

    /// Sharing saves work: fewer distinct prefixes than rows.
    public var isWorthwhile: Bool { prefixes.count < owner.count }
}

extension KeyValueCache {
    /// The cache of rows `owner` (repeats allowed): after prefilling each distinct prompt once,
    /// the cache every sample of it continues from.
    public func selectingRows(_ owner: [Int]) -> KeyValueCache {
        var copy = self
        copy.keys = keys.map { $0?.indexSelect(owner) }
        copy.values = values.map { $0?.indexSelect(owner) }
        return copy
    }
}
