// PETS' learned dynamics (Chua et al. 2018) as MBRL-Lib's `OneDTransitionRewardModel` +
// `ModelTrainer` train it: inputs (observation, action) normalised by the data's mean and std,
// targets the change of the observation (normalised likewise, so every output is on one scale),
// each member fitted on its own bootstrap resample of the training rows, minibatches of 32, Adam
// with L2 weight decay; a held-out share of the data scores every member after each epoch, the
// weights of the best epoch are kept, and the members with the lowest validation error are the elites.
import Foundation
import NN
import Random
import Tensor

public struct DynamicsFitReport: Sendable {
    public var epochs: Int
    /// The last epoch's mean training NLL per minibatch.
    public var trainingNLL: Float
    /// Each member's validation mean squared error (normalised targets) at the kept weights.
    public var validationErrors: [Float]
}

public final class DynamicsModel {
    public let ensemble: ProbabilisticEnsemble
    public let observationSize: Int, actionSize: Int
    public var learningRate: Float, weightDecay: Float
    /// How many members predictions use (the best by validation error).
    public let eliteCount: Int
    public private(set) var elites: [Int]
    private let optimizer: Adam
    private(set) var inputMean: [Float], inputScale: [Float], outputMean: [Float], outputScale: [Float]

    public init(observationSize: Int, actionSize: Int, members: Int = 5, eliteCount: Int? = nil, hiddenLayers: Int = 3, hiddenSize: Int = 200,
                learningRate: Float = 1e-3, weightDecay: Float = 5e-5, using generator: inout RandomGenerator) {
        precondition((1...members).contains(eliteCount ?? members))
        (self.observationSize, self.actionSize, self.learningRate, self.weightDecay) = (observationSize, actionSize, learningRate, weightDecay)
        ensemble = ProbabilisticEnsemble(members: members, inputSize: observationSize + actionSize, outputSize: observationSize,
                                         hiddenLayers: hiddenLayers, hiddenSize: hiddenSize, using: &generator)
        self.eliteCount = eliteCount ?? members
        elites = Array(0..<members)
        optimizer = Adam(ensemble.parameters, learningRate: learningRate, weightDecay: weightDecay)
        (inputMean, inputScale) = ([Float](repeating: 0, count: observationSize + actionSize), [Float](repeating: 1, count: observationSize + actionSize))
        (outputMean, outputScale) = ([Float](repeating: 0, count: observationSize), [Float](repeating: 1, count: observationSize))
    }

    /// Per-column mean and standard deviation of `rows` (a column that never varies keeps scale 1).
    static func statistics(_ rows: [Float], width: Int) -> (mean: [Float], scale: [Float]) {
        let n = rows.count / width
        var mean = [Double](repeating: 0, count: width), square = mean
        for r in 0..<n { for c in 0..<width { let v = Double(rows[r * width + c]); mean[c] += v; square[c] += v * v } }
        let m = mean.map { $0 / Double(Swift.max(n, 1)) }
        let s = zip(square, m).map { ($0 / Double(Swift.max(n, 1)) - $1 * $1).squareRoot() }
        return (m.map(Float.init), s.map { $0 < 1e-12 || !$0.isFinite ? 1 : Float($0) })
    }

    /// (observation, action) rows joined and normalised.
    func normalisedInputs(_ observations: [Float], _ actions: [Float], rows: Int) -> [Float] {
        let width = observationSize + actionSize
        var x = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows {
            for c in 0..<observationSize { x[r * width + c] = (observations[r * observationSize + c] - inputMean[c]) / inputScale[c] }
            for c in 0..<actionSize {
                let j = observationSize + c
                x[r * width + j] = (actions[r * actionSize + c] - inputMean[j]) / inputScale[j]
            }
        }
        return x
    }

    /// Rows `indices[m]` for every member m, stacked as [E, count, width].
    static func stacked(_ rows: [Float], width: Int, _ indices: [[Int]]) -> Tensor {
        let count = indices[0].count
        var out = [Float](); out.reserveCapacity(indices.count * count * width)
        for member in indices { for r in member { out += rows[(r * width)..<((r + 1) * width)] } }
        return Tensor(out, shape: [indices.count, count, width])
    }

    /// Fits the model to every transition so far (observations, actions, next observations,
    /// row-major): up to `epochs` passes, stopping after `patience` epochs without a 1 % gain
    /// on validation.
    @discardableResult
    public func fit(observations: [Float], actions: [Float], nextObservations: [Float], epochs: Int = 50, batchSize: Int = 32,
                    validationRatio: Double = 0.05, patience: Int? = nil, using generator: inout RandomGenerator) -> DynamicsFitReport {
        let n = observations.count / observationSize, width = observationSize + actionSize, members = ensemble.members
        precondition(n >= 2 && actions.count == n * actionSize && nextObservations.count == n * observationSize)
        let deltas = zip(nextObservations, observations).map { $0 - $1 }
        // Normalisers from all the data, as MBRL-Lib updates its normaliser with the whole buffer.
        var joined = [Float](); joined.reserveCapacity(n * width)
        for r in 0..<n { joined += observations[(r * observationSize)..<((r + 1) * observationSize)]; joined += actions[(r * actionSize)..<((r + 1) * actionSize)] }
        (inputMean, inputScale) = Self.statistics(joined, width: width)
        (outputMean, outputScale) = Self.statistics(deltas, width: observationSize)
        let x = normalisedInputs(observations, actions, rows: n)
        let y = (0..<(n * observationSize)).map { (deltas[$0] - outputMean[$0 % observationSize]) / outputScale[$0 % observationSize] }

        // A shuffled split: the validation rows are the same for every member.
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
        let validationCount = Swift.min(n - 1, Int((Double(n) * validationRatio).rounded(.down)))
        let validation = Array(order.prefix(validationCount)), training = Array(order.dropFirst(validationCount))
        func validationErrors() -> [Float] {
            guard !validation.isEmpty else { return [Float](repeating: 0, count: members) }
            let v = [[Int]](repeating: validation, count: members)
            return withoutGrad { ensemble.meanSquaredErrors(Self.stacked(x, width: width, v), targets: Self.stacked(y, width: observationSize, v)) }
        }
        // Each member's bootstrap resample of the training rows.
        let bootstrap = (0..<members).map { _ in training.map { _ in training[generator.nextInt(below: training.count)] } }
        var best = validationErrors(), kept = snapshot(), sinceImprovement = 0, lastNLL: Float = .nan, done = 0
        for _ in 0..<epochs {
            let permutations = bootstrap.map { rows -> [Int] in
                var rows = rows
                for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, generator.nextInt(below: i + 1)) }
                return rows
            }
            var total: Float = 0, batches = 0
            for start in stride(from: 0, to: training.count, by: batchSize) {
                let end = Swift.min(start + batchSize, training.count)
                let rows = permutations.map { Array($0[start..<end]) }
                let loss = ensemble.negativeLogLikelihood(Self.stacked(x, width: width, rows), targets: Self.stacked(y, width: observationSize, rows))
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                total += loss.item; batches += 1
            }
            lastNLL = total / Float(Swift.max(batches, 1)); done += 1
            let errors = validationErrors()
            // MBRL-Lib keeps the epoch's weights when any member improved by more than 1 %.
            if zip(best, errors).contains(where: { b, e in (b - e) / Swift.max(abs(b), 1e-12) > 0.01 }) || validation.isEmpty {
                best = zip(best, errors).map { Swift.min($0, $1) }
                kept = snapshot(); sinceImprovement = 0
            } else {
                sinceImprovement += 1
            }
            if let patience, sinceImprovement >= patience { break }
        }
        restore(kept)
        let errors = validationErrors()
        elites = Array(errors.indices.sorted { errors[$0] < errors[$1] }.prefix(eliteCount))
        return DynamicsFitReport(epochs: done, trainingNLL: lastNLL, validationErrors: errors)
    }

    private func snapshot() -> [[Float]] { ensemble.stateParameters.map { $0.parameter.value.scalars } }
    private func restore(_ values: [[Float]]) {
        for (p, v) in zip(ensemble.stateParameters, values) { p.parameter.assign(Tensor(v, shape: p.parameter.shape)) }
    }

    /// Next observations for `rows` rows of (observation, action); row r is predicted by member
    /// `members[r]` (an elite's index) and sampled from its Gaussian, or its mean when
    /// `deterministic`. Rows are grouped by member so each layer is one batched product.
    public func predict(observations: [Float], actions: [Float], members: [Int], deterministic: Bool = false,
                        using generator: inout RandomGenerator) -> [Float] {
        let rows = members.count, width = observationSize + actionSize
        let x = normalisedInputs(observations, actions, rows: rows)
        // Pad every member's group to the largest one (padding rows are discarded).
        var groups = [[Int]](repeating: [], count: ensemble.members)
        for (r, m) in members.enumerated() { groups[m].append(r) }
        let size = Swift.max(groups.map(\.count).max() ?? 0, 1)
        let padded = groups.map { $0 + [Int](repeating: $0.first ?? 0, count: size - $0.count) }
        let (mean, logVariance) = ensemble.inference(Self.stacked(x, width: width, padded))
        let (mu, logVar) = (mean.scalars, logVariance.scalars)
        var next = observations
        for (m, group) in groups.enumerated() {
            for (k, r) in group.enumerated() {
                for c in 0..<observationSize {
                    let i = (m * size + k) * observationSize + c
                    let z = deterministic ? 0 : generator.nextNormal()
                    let delta = mu[i] + z * Foundation.exp(0.5 * logVar[i])
                    next[r * observationSize + c] += delta * outputScale[c] + outputMean[c]
                }
            }
        }
        return next
    }

    // MARK: - Checkpoint

    /// What a checkpoint of the model holds: the ensemble (the fixed bounds too), Adam's
    /// moments, the normalisers and the elites.
    func save(into builder: inout CheckpointBuilder, as prefix: String) {
        for (name, parameter) in ensemble.stateParameters { builder.tensors.append(("\(prefix).\(name)", parameter.value)) }
        builder.add(optimizer, as: "\(prefix)_optimizer")
        builder.add(inputMean, as: "\(prefix).input_mean"); builder.add(inputScale, as: "\(prefix).input_scale")
        builder.add(outputMean, as: "\(prefix).output_mean"); builder.add(outputScale, as: "\(prefix).output_scale")
        builder.add(elites.map(Float.init), as: "\(prefix).elites")
    }

    func load(from reader: CheckpointReader, as prefix: String) throws {
        for (name, parameter) in ensemble.stateParameters {
            let t = try reader.tensor("\(prefix).\(name)")
            guard t.shape == parameter.shape, t.scalars.allSatisfy(\.isFinite) else {
                throw TrainingError.checkpoint("\(prefix).\(name) has shape \(t.shape) or a non-finite value; this model's is \(parameter.shape)")
            }
            parameter.assign(t)
        }
        try reader.load(optimizer, from: "\(prefix)_optimizer")
        func vector(_ name: String, _ count: Int, positive: Bool = false) throws -> [Float] {
            let v = try reader.values("\(prefix).\(name)")
            guard v.count == count, v.allSatisfy({ $0.isFinite && (!positive || $0 > 0) }) else {
                throw TrainingError.checkpoint("\(prefix).\(name) must hold \(count) finite numbers\(positive ? " above 0" : "")")
            }
            return v
        }
        let width = observationSize + actionSize
        (inputMean, inputScale) = (try vector("input_mean", width), try vector("input_scale", width, positive: true))
        (outputMean, outputScale) = (try vector("output_mean", observationSize), try vector("output_scale", observationSize, positive: true))
        let saved = try reader.values("\(prefix).elites").map { Int(exactly: $0) }
        guard saved.count == eliteCount, saved.allSatisfy({ ($0 ?? -1) >= 0 && ($0 ?? ensemble.members) < ensemble.members }) else {
            throw TrainingError.checkpoint("\(prefix).elites must name \(eliteCount) members below \(ensemble.members)")
        }
        elites = saved.compactMap { $0 }
    }
}
