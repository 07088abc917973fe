import Foundation
import NN
import Tensor

// The boundary with Hugging Face `transformers`: a GPT here and a `GPT2LMHeadModel` with the
// same `config.json` and `model.safetensors` are the same function (golden test to 1e-4).
// GPT-2's linear layers are `Conv1D`s whose weights are stored [in, out]; ours are [out, in].
// The head is tied to `transformer.wte.weight`, so `lm_head.weight` is not written (as
// `save_pretrained` does) and is accepted on reading only if it equals the embedding.

extension GPT {
    /// Parameter names whose tensors GPT-2 stores transposed.
    static func isConv1DWeight(_ name: String) -> Bool {
        name.hasSuffix("attn.c_attn.weight") || name.hasSuffix("attn.c_proj.weight")
            || name.hasSuffix("mlp.c_fc.weight") || name.hasSuffix("mlp.c_proj.weight")
    }

    /// The weights in `GPT2LMHeadModel`'s state-dict layout.
    public func huggingFaceStateDictionary() -> SafeTensors {
        SafeTensors(tensors: namedParameters.map { name, parameter in
            let value = parameter.value.detached()
            return (name, Self.isConv1DWeight(name) ? value.transposed() : value)
        }, metadata: ["format": "pt"])
    }

    /// Loads a `GPT2LMHeadModel` state dict (as `model.safetensors` holds it); all or nothing.
    public func loadHuggingFace(_ state: SafeTensors) throws {
        var tensors: [(name: String, tensor: Tensor)] = []
        for (name, tensor) in state.tensors {
            if name == "lm_head.weight" {
                guard let embedding = state["transformer.wte.weight"], embedding.scalars == tensor.scalars else {
                    throw TinyLMError.checkpoint("lm_head.weight is not tied to transformer.wte.weight, which this GPT requires")
                }
                continue
            }
            // Older checkpoints carry the causal masks as buffers: not parameters.
            if name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") { continue }
            guard Self.isConv1DWeight(name) else { tensors.append((name, tensor)); continue }
            guard tensor.rank == 2 else { throw TinyLMError.checkpoint("\(name) has shape \(tensor.shape), expected a matrix") }
            tensors.append((name, tensor.transposed()))
        }
        try load(SafeTensors(tensors: tensors))
    }

    /// `config.json` as `GPT2Config` writes it, with dropout off (our GPT has none).
    public func huggingFaceConfiguration(tokenizer: any Tokenizer) -> [String: Any] {
        [
            "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
            "vocab_size": configuration.vocabularySize, "n_positions": configuration.contextLength,
            "n_embd": configuration.embedding, "n_layer": configuration.layers, "n_head": configuration.heads,
            "n_inner": NSNull(), "layer_norm_epsilon": Double(configuration.layerNormEpsilon),
            "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0, "initializer_range": 0.02,
            "scale_attn_weights": true, "tie_word_embeddings": true, "use_cache": true,
            "bos_token_id": tokenizer.endOfText, "eos_token_id": tokenizer.endOfText, "pad_token_id": tokenizer.padding,
            "torch_dtype": "float32",
        ]
    }

    /// Writes `config.json` and `model.safetensors` into `folder` (created; each file atomically).
    public func exportHuggingFace(to folder: URL, tokenizer: any Tokenizer) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let json = try JSONSerialization.data(withJSONObject: huggingFaceConfiguration(tokenizer: tokenizer),
                                              options: [.prettyPrinted, .sortedKeys])
        try writeAtomically(json, to: folder.appendingPathComponent("config.json"))
        try huggingFaceStateDictionary().write(to: folder.appendingPathComponent("model.safetensors"))
    }

    /// A GPT from a Hugging Face folder's `config.json` and `model.safetensors`.
    public static func loadHuggingFace(from folder: URL) throws -> GPT {
        let configURL = folder.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: configURL),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TinyLMError.checkpoint("cannot read a JSON object from \(configURL.path)")
        }
        func integer(_ key: String) throws -> Int {
            guard let value = json[key] as? Int else { throw TinyLMError.checkpoint("config.json has no integer '\(key)'") }
            return value
        }
        if let activation = json["activation_function"] as? String, activation != "gelu_new" {
            throw TinyLMError.checkpoint("activation_function '\(activation)' is not supported (GPT-2's gelu_new is)")
        }
        var configuration = GPTConfiguration(vocabularySize: try integer("vocab_size"), contextLength: try integer("n_positions"),
                                             embedding: try integer("n_embd"), layers: try integer("n_layer"), heads: try integer("n_head"))
        if let epsilon = json["layer_norm_epsilon"] as? Double { configuration.layerNormEpsilon = Float(epsilon) }
        let model = try GPT(configuration, seed: 0)
        try model.loadHuggingFace(SafeTensors.read(from: folder.appendingPathComponent("model.safetensors")))
        return model
    }
}
