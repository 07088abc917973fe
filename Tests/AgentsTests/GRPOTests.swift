import Agents
import Foundation
import NN
import Random
import Tensor
import TestSupport
import Testing
import TinyLM

/// A small GPT of the addition vocabulary and a batch of its sampled completions.
private func smallBatch(seed: UInt64 = 3) throws -> (model: GPT, prompts: [[Int]], completions: [[Int]], mask: Tensor) {
    let model = try GPT(GPTConfiguration(vocabularySize: 14, contextLength: 16, embedding: 16, layers: 1, heads: 2), seed: seed)
    let tokenizer = CharacterTokenizer.addition
    let prompts = try ["123+456=", "909+091="].flatMap { Array(repeating: try tokenizer.encode($0), count: 4) }
    var generator = RandomGenerator(seed: seed)
    let sampled = try model.generate(prompts, settings: SamplingSettings(maximumNewTokens: 6, stopToken: 13), using: &generator)
    let length = sampled.map(\.tokens.count).max()!
    let completions = sampled.map { $0.tokens + Array(repeating: 0, count: length - $0.tokens.count) }
    let mask = Tensor(sampled.flatMap { c in (0..<length).map { $0 < c.tokens.count ? Float(1) : 0 } }, shape: [8, length])
    return (model, prompts, completions, mask)
}

/// ∇ of the GRPO loss on the small batch with the given advantages, flattened over all parameters.
private func grpoGradient(_ batch: (model: GPT, prompts: [[Int]], completions: [[Int]], mask: Tensor), advantages: [Float],
                          beta: Float = 0, aggregation: LossAggregation = .grpo) -> [Float] {
    let reference = withoutGrad {
        GroupRelative.tokenLogProbabilities(batch.model, prompts: batch.prompts, completions: batch.completions, temperature: 1).logp
    }
    let logp = GroupRelative.tokenLogProbabilities(batch.model, prompts: batch.prompts, completions: batch.completions, temperature: 1).logp
    let perToken = GroupRelative.perTokenLoss(logp: logp, oldLogp: logp.detached(), referenceLogp: reference,
                                              advantages: Tensor(advantages, shape: [advantages.count, 1]), epsilon: 0.2, epsilonHigh: 0.2, beta: beta).loss
    batch.model.zeroGrad()
    GroupRelative.aggregate(perToken, mask: batch.mask, aggregation, maxCompletionLength: 6).backward()
    return batch.model.parameters.flatMap { $0.grad?.scalars ?? Array(repeating: 0, count: $0.value.count) }
}

@Suite("GRPO, Dr. GRPO, RLOO and REINFORCE on the language model")
struct GRPOTests {
    @Test(arguments: AdvantageEstimator.allCases)
    func advantagesSumToZeroInEveryGroup(algo: AdvantageEstimator) throws {
        var generator = RandomGenerator(seed: 11)
        for _ in 0..<50 {
            let g = 2 + generator.nextInt(below: 9)
            let rewards = (0..<(g * 3)).map { _ in generator.nextUniform() < 0.5 ? 0.0 : Double(generator.nextInt(below: 3)) }
            let advantages = try GroupRelative.advantages(rewards, groupSize: g, estimator: algo)
            for start in stride(from: 0, to: rewards.count, by: g) {
                let sum = advantages[start..<(start + g)].reduce(0, +)
                #expect(abs(sum) < 1e-4, "\(algo): group \(rewards[start..<(start + g)]) → \(advantages[start..<(start + g)])")
            }
        }
        // Worked values: GRPO divides by the unbiased std + 1e-4; RLOO's baseline is the mean of the others.
        let grpo = try GroupRelative.advantages([1, 0, 0, 1], groupSize: 4, estimator: .grpo)
        let std = (1.0 / 3).squareRoot()
        #expect(abs(Double(grpo[0]) - 0.5 / (std + 1e-4)) < 1e-5)
        let third: Float = -1.0 / 3
        let rloo = try GroupRelative.advantages([1, 0, 0, 0], groupSize: 4, estimator: .rloo)
        #expect(rloo == [1, third, third, third])
        #expect(try GroupRelative.advantages([1, 1, 1, 1], groupSize: 4, estimator: .grpo) == [0, 0, 0, 0])
        expectError("do not make groups of 3") { _ = try GroupRelative.advantages([1, 0, 1, 1], groupSize: 3, estimator: .grpo) }
    }

    @Test func equalRewardsGiveNoPolicyGradient() throws {
        let batch = try smallBatch()
        for algo in AdvantageEstimator.allCases {
            let advantages = try GroupRelative.advantages(Array(repeating: 1, count: 8), groupSize: 4, estimator: algo)
            let gradient = grpoGradient(batch, advantages: advantages)
            #expect(gradient.allSatisfy { $0 == 0 }, "\(algo): max |∇| \(gradient.map(abs).max() ?? 0)")
        }
        // With β > 0 the KL term alone pulls back toward the reference: zero too while the policy equals it.
        let withKL = grpoGradient(batch, advantages: Array(repeating: 0, count: 8), beta: 0.04)
        #expect(withKL.allSatisfy { abs($0) < 1e-7 })
    }

    /// β = 0 and one pass (ρ = 1, the clip never binds): GRPO's gradient is REINFORCE's with the
    /// group baseline, −(1/B) Σ_i Â_i (1/|o_i|) Σ_t ∇ log π(o_it).
    @Test func oneUnclippedPassWithoutKLIsReinforceWithAGroupBaseline() throws {
        let batch = try smallBatch()
        let rewards: [Double] = [1, 0, 0, 1, 1, 1, 0, 1]
        let advantages = try GroupRelative.advantages(rewards, groupSize: 4, estimator: .reinforce)
        let grpo = grpoGradient(batch, advantages: advantages)

        let logp = GroupRelative.tokenLogProbabilities(batch.model, prompts: batch.prompts, completions: batch.completions, temperature: 1).logp
        let perCompletion = (logp * batch.mask).sum(alongAxis: 1) / batch.mask.sum(alongAxis: 1)
        let reinforce = -(perCompletion * Tensor(advantages, shape: [8])).mean()
        batch.model.zeroGrad()
        reinforce.backward()
        let expected = batch.model.parameters.flatMap { $0.grad?.scalars ?? Array(repeating: 0, count: $0.value.count) }
        let worst = zip(grpo, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-6 && expected.contains { $0 != 0 }, "largest difference \(worst)")
    }

    @Test func theClipStopsTheGradientOutsideTheTrustRegion() {
        // ρ = e^{0.5} > 1 + ε with Â > 0: the clipped term is smaller, constant in θ: no gradient.
        let logp = Tensor([0.5, -0.1], shape: [1, 2]).requiringGrad()
        let loss = GroupRelative.perTokenLoss(logp: logp, oldLogp: Tensor([0, 0], shape: [1, 2]), referenceLogp: nil,
                                              advantages: Tensor([1], shape: [1, 1]), epsilon: 0.2, epsilonHigh: 0.2, beta: 0).loss
        loss.sum().backward()
        let gradient = logp.grad!.scalars
        #expect(gradient[0] == 0)
        #expect(abs(gradient[1] + Float(Foundation.exp(-0.1))) < 1e-6)  // inside: −Â·ρ
    }
}

// MARK: - Against TRL's own GRPOTrainer._compute_loss (scripts/make_grpo_fixture.py, TRL 1.16.0)

private struct TRLFixture: Decodable {
    struct Case: Decodable {
        var name: String
        var lossType: String
        var beta: Float
        var epsilon: Float
        var epsilonHigh: Float
        var temperature: Float
        var usesOldLogps: Bool
        var useBiasCorrectionKl: Bool
        var loss: Float
        var perTokenLogps: [[Float]]
        var klMean: Float?
        var entropyMean: Float
        var clipRatio: [String: Float]?
        var grad: [String: Gradient]
    }
    /// A gradient as stored: a matrix or a vector.
    enum Gradient: Decodable {
        case matrix([[Float]]), vector([Float])
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let m = try? container.decode([[Float]].self) { self = .matrix(m) } else { self = .vector(try container.decode([Float].self)) }
        }
    }
    var promptIds: [[Int]]
    var completionIds: [[Int]]
    var completionMask: [[Float]]
    var advantages: [Float]
    var refPerTokenLogps: [[Float]]
    var oldPerTokenLogps: [[Float]]
    var maxCompletionLength: Int
    var cases: [Case]
}

extension GRPOTests {
    @Test func lossKLAndGradientsEqualTRLs() throws {
        let folder = try #require(Bundle.module.url(forResource: "grpo", withExtension: nil, subdirectory: "Fixtures"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let fixture = try decoder.decode(TRLFixture.self, from: Data(contentsOf: folder.appendingPathComponent("grpo_trl.json")))
        let (b, l) = (fixture.completionIds.count, fixture.completionIds[0].count)
        let mask = Tensor(fixture.completionMask.flatMap { $0 }, shape: [b, l])
        let advantages = Tensor(fixture.advantages, shape: [b, 1])
        for c in fixture.cases {
            let model = try GPT.loadHuggingFace(from: folder.appendingPathComponent("model"))
            let (logp, logSoftmax) = GroupRelative.tokenLogProbabilities(model, prompts: fixture.promptIds, completions: fixture.completionIds,
                                                                          temperature: c.temperature)
            // TRL zeroes the log-probabilities at padded positions; compare where the mask is 1.
            for (i, (ours, theirs)) in zip(logp.scalars, c.perTokenLogps.flatMap { $0 }).enumerated() where mask.scalars[i] == 1 {
                #expect(abs(ours - theirs) < 2e-5, "\(c.name): log π at \(i): \(ours) vs \(theirs)")
            }
            let old = c.usesOldLogps ? Tensor(fixture.oldPerTokenLogps.flatMap { $0 }, shape: [b, l]) : logp.detached()
            let (perToken, kl) = GroupRelative.perTokenLoss(logp: logp, oldLogp: old, referenceLogp: Tensor(fixture.refPerTokenLogps.flatMap { $0 }, shape: [b, l]),
                                                            advantages: advantages, epsilon: c.epsilon, epsilonHigh: c.epsilonHigh, beta: c.beta,
                                                            biasCorrectedKL: c.useBiasCorrectionKl)
            let loss = GroupRelative.aggregate(perToken, mask: mask, try #require(LossAggregation(rawValue: c.lossType)),
                                               maxCompletionLength: fixture.maxCompletionLength)
            #expect(abs(loss.item - c.loss) < 2e-6 + 1e-4 * abs(c.loss), "\(c.name): loss \(loss.item) vs TRL's \(c.loss)")
            if let klMean = c.klMean, let kl {
                let ours = (kl.detached() * mask).sum().item / mask.sum().item
                #expect(abs(ours - klMean) < 1e-4 * klMean + 1e-7, "\(c.name): KL \(ours) vs \(klMean)")
            }
            #expect(abs(Float(GRPO.meanEntropy(logSoftmax.detached(), mask: mask)) - c.entropyMean) < 1e-4, "\(c.name): entropy")
            if let region = c.clipRatio?["region_mean"] {
                let share = GRPO.clippedShare(logp: logp.detached(), old: old, advantages: advantages, mask: mask, low: 1 - c.epsilon, high: 1 + c.epsilonHigh)
                #expect(abs(Float(share) - region) < 1e-6, "\(c.name): clip ratio \(share) vs \(region)")
            }
            model.zeroGrad()
            loss.backward()
            let byName = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.parameter) })
            for (name, expected) in c.grad {
                let ours = try #require(byName[name]?.grad?.scalars, "\(c.name): no gradient for \(name)")
                // Linear weights are [out, in] here, GPT-2's Conv1D [in, out] there.
                let theirs: [Float]
                switch expected {
                case .vector(let v): theirs = v
                case .matrix(let m) where name.contains("c_attn"): theirs = (0..<m[0].count).flatMap { o in m.map { $0[o] } }
                case .matrix(let m): theirs = m.flatMap { $0 }
                }
                let scale = theirs.map(abs).max() ?? 0
                let worst = zip(ours, theirs).map { abs($0 - $1) }.max() ?? .infinity
                #expect(ours.count == theirs.count && worst <= 1e-4 * scale + 1e-7, "\(c.name): ∇\(name) differs by \(worst) (scale \(scale))")
            }
        }
    }
}
