import Foundation
import NN
import Random
import Tensor
import TinyLM

/// What a pretraining run learns from: the addition task's noisy-teacher corpus (prompt and answer
/// in one 13-token row, the loss on the answer only), or a text file cut into windows of the
/// context length (the loss everywhere; the last tenth held out for the validation loss).
public struct PretrainingCorpus {
    public enum Content {
        /// The splits, and each training row: prompt + teacher answer, padded to 13 tokens.
        case addition(AdditionSplits, rows: [[Int]])
        /// The training tokens and the held-out ones.
        case text(train: [Int], validation: [Int])
    }

    public let content: Content
    public let tokenizer: any Tokenizer
    public let contextLength: Int
    /// The training and held-out tokens' FNV-1a hash and count: a checkpoint records it, a resumed run compares.
    public let fingerprint: String

    public init(_ source: String, contextLength: Int) throws {
        self.contextLength = contextLength
        if source == "addition" {
            let tokenizer = CharacterTokenizer.addition
            let splits = AdditionSplits()
            let width = AdditionSplits.promptLength + AdditionSplits.maximumAnswerLength
            let rows = try zip(splits.train, splits.teacherAnswers).map { problem, answer in
                let tokens = try tokenizer.encode(problem.prompt + answer)
                return tokens + Array(repeating: tokenizer.padding, count: width - tokens.count)
            }
            (self.tokenizer, content) = (tokenizer, .addition(splits, rows: rows))
            fingerprint = Self.fingerprint(of: rows.joined())
            return
        }
        let url = URL(fileURLWithPath: source)
        guard let data = try? Data(contentsOf: url) else {
            throw TrainingError.unsupported("cannot read the corpus \(source) (expected 'addition' or a text file)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw TrainingError.unsupported("the corpus \(source) is not UTF-8 text") }
        let tokens = try ByteTokenizer().encode(text)
        let held = tokens.count / 10
        guard tokens.count - held > contextLength, held > contextLength + 1 else {
            throw TrainingError.unsupported("the corpus \(source) has \(tokens.count) bytes; it needs at least \(10 * (contextLength + 2)) "
                                            + "for training windows of n_positions=\(contextLength) and a held-out tenth")
        }
        (tokenizer, content) = (ByteTokenizer(), .text(train: Array(tokens[..<(tokens.count - held)]), validation: Array(tokens[(tokens.count - held)...])))
        fingerprint = Self.fingerprint(of: tokens)
    }

    static func fingerprint<S: Sequence>(of tokens: S) -> String where S.Element == Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325, count = 0
        for token in tokens {
            hash = (hash ^ UInt64(truncatingIfNeeded: token)) &* 0x0000_0100_0000_01b3
            count += 1
        }
        return "\(count):" + String(hash, radix: 16)
    }

    /// Rows one epoch shuffles: the task's problems, or the windows starting at every multiple of
    /// the context length.
    public var sequenceCount: Int {
        switch content {
        case .addition(_, let rows): rows.count
        case .text(let train, _): (train.count - 1) / contextLength
        }
    }

    /// Input tokens per row of a batch (12 for addition: a 13-token row less its last; the context for text).
    public var tokensPerSequence: Int {
        switch content {
        case .addition: AdditionSplits.promptLength + AdditionSplits.maximumAnswerLength - 1
        case .text: contextLength
        }
    }

    /// A batch: inputs [B][T], their next tokens (flattened B·T) and which of them the loss counts [B, T].
    public struct Batch {
        public var inputs: [[Int]]
        public var targets: [Int]
        public var mask: Tensor
    }

    func batch(_ size: Int, order: inout EpochOrder, using generator: inout RandomGenerator) -> Batch {
        let picked = order.next(size, of: sequenceCount, using: &generator)
        switch content {
        case .addition(_, let rows):
            return Self.additionBatch(picked.map { rows[$0] }, padding: tokenizer.padding)
        case .text(let train, _):
            return Self.windows(picked.map { $0 * contextLength }, of: train, length: contextLength)
        }
    }

    /// As the anchor: inputs are a row without its last token, targets it shifted by one; the
    /// targets inside the prompt (positions < 7) and the padding are not learned.
    static func additionBatch(_ rows: [[Int]], padding: Int) -> Batch {
        let inputs = rows.map { Array($0.dropLast()) }
        let targets = rows.flatMap { $0.dropFirst() }
        let time = inputs[0].count
        let mask = targets.enumerated().map { i, token in
            i % time >= AdditionSplits.promptLength - 1 && token != padding ? Float(1) : 0
        }
        return Batch(inputs: inputs, targets: targets, mask: Tensor(mask, shape: [rows.count, time]))
    }

    static func windows(_ starts: [Int], of tokens: [Int], length: Int) -> Batch {
        Batch(inputs: starts.map { Array(tokens[$0..<($0 + length)]) },
              targets: starts.flatMap { tokens[($0 + 1)...($0 + length)] },
              mask: Tensor.ones([starts.count, length]))
    }

    /// The mean next-token loss over the held-out text's windows (at most 16 batches' worth).
    public func validationLoss(_ model: GPT, batch: Int) -> Float {
        guard case .text(_, let held) = content else { return .nan }
        let starts = Array(stride(from: 0, to: held.count - contextLength, by: contextLength).prefix(16 * batch))
        var total: Float = 0
        withoutGrad {
            for chunk in stride(from: 0, to: starts.count, by: batch) {
                let part = Array(starts[chunk..<Swift.min(starts.count, chunk + batch)])
                let b = Self.windows(part, of: held, length: contextLength)
                total += Loss.crossEntropy(logits: model(b.inputs), targets: b.targets).item * Float(part.count)
            }
        }
        return total / Float(Swift.max(starts.count, 1))
    }
}
