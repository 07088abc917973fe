import Foundation

// Losses, written as their definitions; all reduce to a scalar mean.

public enum Loss {
    /// mean((prediction − target)²), fused into one op (one pass forward, one backward).
    public static func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        precondition(prediction.shape == target.shape, "MSE shapes differ: \(prediction.shape) vs \(target.shape)")
        let n = Float(Swift.max(prediction.count, 1))
        var total: Float = 0
        prediction.withUnsafeBufferPointer { p in
            target.withUnsafeBufferPointer { t in
                for i in p.indices { total += (p[i] - t[i]) * (p[i] - t[i]) }
            }
        }
        return Tensor(total / n).recordingGradient(of: prediction, target, saving: PredictionAndTarget(prediction: prediction, target: target)) { saved, g in
            // ∂/∂prediction = 2(prediction − target)/n; ∂/∂target is its negative.
            let operands = PredictionAndTarget(unpacking: saved)
            let (prediction, target) = (operands.prediction, operands.target)
            let scale = 2 * g.item / Float(Swift.max(prediction.count, 1))
            let dp = prediction.requiresGrad ? prediction.combined(with: target) { scale * ($0 - $1) } : nil
            let dt = target.requiresGrad ? prediction.combined(with: target) { -scale * ($0 - $1) } : nil
            return (dp, dt, nil)
        }
    }

    /// PPO's clipped surrogate objective, negated for descent (Schulman et al. 2017, eq. 7):
    /// −L^CLIP = −mean(min(rₜ·Âₜ, clip(rₜ, 1 − ε, 1 + ε)·Âₜ)) with rₜ = exp(log π(aₜ|sₜ) − log π_old(aₜ|sₜ)).
    /// Fused into one op: its paper form — `exp`, two products, `clamped`, `minimum`, `mean` — is
    /// eight graph nodes and buffers per minibatch, ≈ 10 % of PPO's CartPole training time. Its
    /// gradient: ∂/∂log πₜ = −Âₜ·rₜ/N where the unclipped term is the smaller or rₜ lies inside the
    /// clip range, else 0 (a test holds it to the paper form and to finite differences).
    public static func clippedSurrogate(_ logp: Tensor, oldLogp: Tensor, advantages: Tensor, clip: Float) -> Tensor {
        precondition(logp.shape == oldLogp.shape && logp.shape == advantages.shape,
                     "clipped surrogate shapes differ: \(logp.shape), \(oldLogp.shape), \(advantages.shape)")
        let n = Float(Swift.max(logp.count, 1))
        let ratio = logp.combined(with: oldLogp) { exp($0 - $1) }
        var total: Float = 0
        ratio.withUnsafeBufferPointer { r in
            advantages.withUnsafeBufferPointer { a in
                for i in r.indices { total += Swift.min(r[i] * a[i], Swift.min(Swift.max(r[i], 1 - clip), 1 + clip) * a[i]) }
            }
        }
        return Tensor(-total / n).recordingGradient(of: logp, saving: ClippedSurrogateSaved(ratio: ratio, advantages: advantages, clip: clip)) { saved, g in
            let s = ClippedSurrogateSaved(unpacking: saved)
            let scale = -g.item / Float(Swift.max(s.ratio.count, 1)), (low, high) = (1 - s.clip, 1 + s.clip)
            let slopes = s.ratio.combined(with: s.advantages) { r, a in
                r * a <= Swift.min(Swift.max(r, low), high) * a || (r >= low && r <= high) ? scale * a * r : 0
            }
            return (slopes, nil, nil)
        }
    }

    /// What the fused losses' backward reads, by name: views of the node's slots (no copies).
    struct ClippedSurrogateSaved: SavedForBackward {
        private var slots: SavedTensors
        init(ratio: Tensor, advantages: Tensor, clip: Float) { slots = SavedTensors((ratio, advantages, nil, nil), constant: clip) }
        init(unpacking saved: consuming SavedTensors) { slots = saved }
        consuming func packed() -> SavedTensors { slots }
        var ratio: Tensor { slots.slots.0! }
        var advantages: Tensor { slots.slots.1! }
        var clip: Float { slots.constant }
    }

    struct PredictionAndTarget: SavedForBackward {
        private var slots: SavedTensors
        init(prediction: Tensor, target: Tensor) { slots = SavedTensors((prediction, target, nil, nil)) }
        init(unpacking saved: consuming SavedTensors) { slots = saved }
        consuming func packed() -> SavedTensors { slots }
        var prediction: Tensor { slots.slots.0! }
        var target: Tensor { slots.slots.1! }
    }

    /// Huber loss: ½d² where |d| < δ, else δ(|d| − ½δ). With δ = 1 it equals PyTorch's
    /// `smooth_l1_loss`, which DQN uses.
    public static func huber(_ prediction: Tensor, _ target: Tensor, delta: Float = 1) -> Tensor {
        precondition(prediction.shape == target.shape, "Huber shapes differ: \(prediction.shape) vs \(target.shape)")
        let difference = prediction - target
        let magnitude = difference.abs()
        let quadratic = 0.5 * difference.square()
        let linear = delta * (magnitude - 0.5 * delta)
        return Tensor.select(where: magnitude.detached() .< delta, quadratic, linear).mean()
    }

    /// Negative log-likelihood of `targets` under `logProbabilities` [..., C], averaged over
    /// the positions where `mask` (shape [...]) is non-zero, or over all.
    public static func negativeLogLikelihood(_ logProbabilities: Tensor, targets: [Int], mask: Tensor? = nil) -> Tensor {
        let picked = logProbabilities.gather(alongLastAxis: targets)
        guard let mask else { return -picked.mean() }
        precondition(mask.shape == picked.shape, "mask shape \(mask.shape) must be \(picked.shape)")
        return -(picked * mask).sum() / Swift.max(mask.sum().item, 1)
    }

    /// Cross-entropy from unnormalised logits [..., C] and class indices, optionally masked.
    public static func crossEntropy(logits: Tensor, targets: [Int], mask: Tensor? = nil) -> Tensor {
        negativeLogLikelihood(logits.logSoftmax(), targets: targets, mask: mask)
    }
}
