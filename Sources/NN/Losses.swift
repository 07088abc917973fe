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
        return Tensor(total / n).recordingGradient(of: prediction, target, saving: SavedTensors(prediction, target)) { saved, g in
            // ∂/∂prediction = 2(prediction − target)/n; ∂/∂target is its negative.
            guard let prediction = saved.first, let target = saved.second else { return (nil, nil, nil) }
            let scale = 2 * g.item / Float(Swift.max(prediction.count, 1))
            let dp = prediction.requiresGrad ? prediction.combined(with: target) { scale * ($0 - $1) } : nil
            let dt = target.requiresGrad ? prediction.combined(with: target) { -scale * ($0 - $1) } : nil
            return (dp, dt, nil)
        }
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
