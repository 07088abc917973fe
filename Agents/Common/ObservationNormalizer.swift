import RL

/// SB3's `VecNormalize` as agents apply it inside their loop: observations scaled by running
/// statistics, (x − μ)/√(σ² + ε) clipped to ±10, and rewards divided by the running standard
/// deviation of the discounted return, clipped to ±10. The statistics are frozen for evaluation
/// and saved in checkpoints, so a trained policy sees the inputs it learned on.
public struct VectorNormalizer {
    public var observationStatistics: RunningMeanVariance
    public var returnStatistics: RunningMeanVariance
    public let normalizesObservations: Bool, normalizesRewards: Bool
    public let gamma: Double, clip: Float, epsilon: Double
    /// Discounted return of each copy's current episode, for the reward scale (saved in checkpoints).
    public var runningReturns: [Double]

    public init(observationSize: Int, copies: Int, gamma: Double, observations: Bool = true, rewards: Bool = true,
                clip: Float = 10, epsilon: Double = 1e-8) {
        observationStatistics = RunningMeanVariance(dimension: observationSize)
        returnStatistics = RunningMeanVariance(dimension: 1)
        normalizesObservations = observations
        normalizesRewards = rewards
        (self.gamma, self.clip, self.epsilon) = (gamma, clip, epsilon)
        runningReturns = Array(repeating: 0, count: copies)
    }

    /// Folds a batch of observation rows into the statistics.
    public mutating func updateObservations(_ rows: [Float]) {
        guard normalizesObservations else { return }
        observationStatistics.update(rows: rows)
    }

    /// The rows normalised with the current statistics.
    public func normalize(_ rows: [Float]) -> [Float] {
        guard normalizesObservations else { return rows }
        let mean = observationStatistics.mean, variance = observationStatistics.variance, d = mean.count
        let scale = variance.map { Float(1 / ($0 + epsilon).squareRoot()) }
        let shift = mean.map(Float.init)
        return rows.indices.map { i in
            let j = i % d
            return Swift.min(Swift.max((rows[i] - shift[j]) * scale[j], -clip), clip)
        }
    }

    /// Updates the return statistics with one step's rewards and scales them; `dones` end the
    /// running returns of copies whose episodes ended.
    public mutating func scaleRewards(_ rewards: [Float], dones: [Bool]) -> [Float] {
        guard normalizesRewards else { return rewards }
        for i in rewards.indices { runningReturns[i] = runningReturns[i] * gamma + Double(rewards[i]) }
        returnStatistics.update(rows: runningReturns.map(Float.init))
        let scale = Float(1 / (returnStatistics.variance[0] + epsilon).squareRoot())
        let scaled = rewards.map { Swift.min(Swift.max($0 * scale, -clip), clip) }
        for i in dones.indices where dones[i] { runningReturns[i] = 0 }
        return scaled
    }
}

extension RunningMeanVariance {
    /// Folds in a batch of rows at once (Chan et al.'s parallel update with the batch's own
    /// mean and population variance, as SB3's `RunningMeanStd.update`).
    public mutating func update(rows: [Float]) {
        let d = mean.count, n = rows.count / d
        guard n > 0 else { return }
        var batchMean = [Double](repeating: 0, count: d), batchVariance = batchMean
        for r in 0..<n { for j in 0..<d { batchMean[j] += Double(rows[r * d + j]) } }
        for j in 0..<d { batchMean[j] /= Double(n) }
        for r in 0..<n { for j in 0..<d { let x = Double(rows[r * d + j]) - batchMean[j]; batchVariance[j] += x * x } }
        for j in 0..<d { batchVariance[j] /= Double(n) }
        let total = count + Double(n)
        var newMean = mean, newVariance = variance
        for j in 0..<d {
            let delta = batchMean[j] - mean[j]
            newMean[j] = mean[j] + delta * Double(n) / total
            let m2 = variance[j] * count + batchVariance[j] * Double(n) + delta * delta * count * Double(n) / total
            newVariance[j] = m2 / total
        }
        self = RunningMeanVariance(mean: newMean, variance: newVariance, count: total)
    }
}
