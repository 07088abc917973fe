import NN
import Random
import Tensor

/// The shape of a GPT-2-style decoder, with Hugging Face `GPT2Config`'s meaning for each field.
public struct GPTConfiguration: Codable, Equatable, Sendable {
    public var vocabularySize: Int   // vocab_size
    public var contextLength: Int    // n_positions
    public var embedding: Int        // n_embd
    public var layers: Int           // n_layer
    public var heads: Int            // n_head
    public var layerNormEpsilon: Float = 1e-5

    public init(vocabularySize: Int, contextLength: Int, embedding: Int, layers: Int, heads: Int) {
        (self.vocabularySize, self.contextLength, self.embedding, self.layers, self.heads) =
            (vocabularySize, contextLength, embedding, layers, heads)
    }

    /// The anchor's model: 4 layers, 4 heads, 128 wide, 32 positions, 14 symbols (799,232 parameters).
    public static let addition = GPTConfiguration(vocabularySize: 14, contextLength: 32, embedding: 128, layers: 4, heads: 4)

    public func validated() throws -> GPTConfiguration {
        func require(_ ok: Bool, _ message: String) throws {
            if !ok { throw TinyLMError.invalidConfiguration(message) }
        }
        try require((1...1 << 20).contains(vocabularySize), "vocabulary size \(vocabularySize) must be in 1…1048576")
        try require((1...8192).contains(contextLength), "context length \(contextLength) must be in 1…8192")
        try require((1...8192).contains(embedding), "embedding width \(embedding) must be in 1…8192")
        try require((1...64).contains(layers), "layer count \(layers) must be in 1…64")
        try require(heads >= 1 && embedding % heads == 0, "embedding width \(embedding) is not divisible into \(heads) heads")
        try require(layerNormEpsilon > 0 && layerNormEpsilon.isFinite, "layer_norm_epsilon must be positive")
        // Parameters and AdamW's two moments must fit comfortably: refuse beyond 2^31 floats.
        try require(parameterCount <= 1 << 31, "the model would have \(parameterCount) parameters, too many for this tool")
        return self
    }

    public var parameterCount: Int {
        let c = embedding
        let block = 2 * 2 * c + (c * 3 * c + 3 * c) + (c * c + c) + (c * 4 * c + 4 * c) + (4 * c * c + c)
        return vocabularySize * c + contextLength * c + layers * block + 2 * c
    }
}

/// The MLP of a block: C → 4C, GELU (tanh form, as GPT-2), 4C → C.
public final class GPTMLP: Layer {
    public let expand: Linear    // c_fc
    public let project: Linear   // c_proj

    init(embedding: Int, using generator: inout RandomGenerator) {
        expand = Linear(embedding, 4 * embedding, using: &generator)
        project = Linear(4 * embedding, embedding, using: &generator)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        expand.parameters(prefixedBy: "c_fc") + project.parameters(prefixedBy: "c_proj")
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { project(expand(x).geluTanh()) }
}

/// A pre-norm transformer block: x + attn(ln₁(x)), then x + mlp(ln₂(x)).
public final class GPTBlock: Layer {
    public let attentionNorm: LayerNorm          // ln_1
    public let attention: CausalSelfAttention    // attn
    public let mlpNorm: LayerNorm                // ln_2
    public let mlp: GPTMLP                       // mlp

    init(_ configuration: GPTConfiguration, using generator: inout RandomGenerator) {
        attentionNorm = LayerNorm(configuration.embedding, epsilon: configuration.layerNormEpsilon)
        attention = CausalSelfAttention(embedding: configuration.embedding, heads: configuration.heads, using: &generator)
        mlpNorm = LayerNorm(configuration.embedding, epsilon: configuration.layerNormEpsilon)
        mlp = GPTMLP(embedding: configuration.embedding, using: &generator)
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        attentionNorm.parameters(prefixedBy: "ln_1") + attention.parameters(prefixedBy: "attn")
            + mlpNorm.parameters(prefixedBy: "ln_2") + mlp.parameters(prefixedBy: "mlp")
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let x = x + attention(attentionNorm(x))
        return x + mlp(mlpNorm(x))
    }
}

/// GPT-2 as nanoGPT's `model.py` lays it out: token and learned position embeddings, pre-norm
/// blocks, a final LayerNorm, and a head tied to the token embedding. Parameter names are
/// Hugging Face `GPT2LMHeadModel`'s (`transformer.h.0.attn.c_attn.weight`); linear weights are
/// stored [out, in] as everywhere in Athanor (GPT-2's `Conv1D` stores [in, out]: `HuggingFace.swift`
/// transposes at the boundary).
public final class GPT: Module {
    public let configuration: GPTConfiguration
    public let tokenEmbedding: Embedding      // wte [V, C], also the output head
    public let positionEmbedding: Embedding   // wpe [P, C]
    public let blocks: [GPTBlock]             // h
    public let finalNorm: LayerNorm           // ln_f

    /// GPT-2's initialisation: weights N(0, 0.02), the residual projections N(0, 0.02/√(2L))
    /// (the `c_proj` scaling of the GPT-2 paper), biases 0, LayerNorms 1 and 0.
    public init(_ configuration: GPTConfiguration, seed: UInt64) throws {
        self.configuration = try configuration.validated()
        var generator = RandomGenerator(seed: seed)
        let c = configuration.embedding
        tokenEmbedding = Embedding(count: configuration.vocabularySize, dimension: c, using: &generator)
        positionEmbedding = Embedding(count: configuration.contextLength, dimension: c, using: &generator)
        blocks = (0..<configuration.layers).map { _ in GPTBlock(configuration, using: &generator) }
        finalNorm = LayerNorm(c, epsilon: configuration.layerNormEpsilon)
        let residualScale = 0.02 / Float(2 * configuration.layers).squareRoot()
        for (name, parameter) in namedParameters where !name.contains(".ln_") {
            let isBias = name.hasSuffix(".bias")
            let standardDeviation = name.hasSuffix("c_proj.weight") ? residualScale : 0.02
            parameter.assign(isBias ? .zeros(parameter.shape)
                : .normal(parameter.shape, standardDeviation: standardDeviation, using: &generator))
        }
    }

    public var namedParameters: [(name: String, parameter: Parameter)] {
        var all = tokenEmbedding.parameters(prefixedBy: "transformer.wte")
            + positionEmbedding.parameters(prefixedBy: "transformer.wpe")
        for (i, block) in blocks.enumerated() { all += block.parameters(prefixedBy: "transformer.h.\(i)") }
        return all + finalNorm.parameters(prefixedBy: "transformer.ln_f")
    }

    /// Logits [B, T, V] for token ids [B][T] (every row the same length T ≤ context length).
    public func callAsFunction(_ tokens: [[Int]]) -> Tensor {
        let (batch, time) = (tokens.count, tokens.first?.count ?? 0)
        precondition(batch > 0 && time > 0 && time <= configuration.contextLength && tokens.allSatisfy { $0.count == time },
                     "GPT expects \(batch) rows of one length in 1…\(configuration.contextLength)")
        let c = configuration.embedding
        let tokenVectors = tokenEmbedding(tokens.flatMap { $0 }).reshaped(to: [batch, time, c])  // [B, T, C]
        let positionVectors = positionEmbedding(Array(0..<time))                                // [T, C]
        var x = tokenVectors + positionVectors                                                   // [B, T, C]
        for block in blocks { x = block(x) }                                                    // [B, T, C]
        return head(finalNorm(x))                                                               // [B, T, V]
    }

    /// The tied output head: h·Wteᵀ.
    func head(_ x: Tensor) -> Tensor { .linear(x, weight: tokenEmbedding.weight.value, bias: nil) }

    /// A copy with the same weights (the frozen reference policy of RL fine-tuning).
    public func copy() -> GPT {
        // Initialisation is replaced by the copy, so the seed does not matter.
        let twin = try! GPT(configuration, seed: 0)  // the configuration was validated by self
        twin.copyParameters(from: self)
        return twin
    }
}
