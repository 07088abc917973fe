import Environments
import Foundation
import RL
import Random

/// Many CartPole-v1 copies stepped together from arrays of their state (struct of arrays), as
/// Gymnasium's numpy `CartPoleVectorEnv` does: the physics of all carts runs as one loop over
/// contiguous Doubles, four carts per AVX2 instruction, instead of one call per cart.
///
/// Same equations, constants, termination, 500-step truncation and same-step auto-reset as
/// `VectorEnvironment<TimeLimit<CartPole>>` (copy i seeded with seed + i), and the same numbers
/// up to the last bits of sin and cos: while an episode runs |θ| ≤ 12°, where the Taylor
/// polynomials below are exact to double precision; larger angles fall back to libm.
public struct CartPoleBatch: BatchedEnvironment, Codable {
    public let count: Int
    public let maxEpisodeSteps: Int
    private var x: [Double], xDot: [Double], theta: [Double], thetaDot: [Double]
    /// Steps into each copy's episode; with +1 per step it is also the episode's return so far.
    private var elapsed: [Int32]
    private var generators: [RandomGenerator]
    public private(set) var observations: [Float]
    public private(set) var finalObservations: [Float]
    public private(set) var rewards: [Float]
    public private(set) var terminated: [Bool]
    public private(set) var truncated: [Bool]
    public private(set) var finishedEpisodes: [(copy: Int, record: EpisodeRecord)] = []

    private enum CodingKeys: String, CodingKey {
        case count, maxEpisodeSteps, x, xDot, theta, thetaDot, elapsed, generators, observations
    }

    public init(copies: Int, maxEpisodeSteps: Int = 500) {
        precondition(copies >= 1 && maxEpisodeSteps >= 1, "a batch needs at least one copy and a positive time limit")
        count = copies
        self.maxEpisodeSteps = maxEpisodeSteps
        x = Array(repeating: 0, count: copies)
        (xDot, theta, thetaDot) = (x, x, x)
        elapsed = Array(repeating: 0, count: copies)
        generators = (0..<copies).map { _ in RandomGenerator(seed: 0) }
        observations = Array(repeating: 0, count: copies * 4)
        finalObservations = observations
        rewards = Array(repeating: 1, count: copies)  // +1 every step, as CartPole-v1
        terminated = Array(repeating: false, count: copies)
        truncated = terminated
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(copies: try c.decode(Int.self, forKey: .count), maxEpisodeSteps: try c.decode(Int.self, forKey: .maxEpisodeSteps))
        (x, xDot) = (try c.decode([Double].self, forKey: .x), try c.decode([Double].self, forKey: .xDot))
        (theta, thetaDot) = (try c.decode([Double].self, forKey: .theta), try c.decode([Double].self, forKey: .thetaDot))
        elapsed = try c.decode([Int32].self, forKey: .elapsed)
        generators = try c.decode([RandomGenerator].self, forKey: .generators)
        observations = try c.decode([Float].self, forKey: .observations)
        guard [x.count, xDot.count, theta.count, thetaDot.count, elapsed.count, generators.count]
            .allSatisfy({ $0 == count }), observations.count == 4 * count else {
            throw SnapshotError.malformed("CartPoleBatch arrays do not hold \(count) copies")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encode(maxEpisodeSteps, forKey: .maxEpisodeSteps)
        try c.encode(x, forKey: .x)
        try c.encode(xDot, forKey: .xDot)
        try c.encode(theta, forKey: .theta)
        try c.encode(thetaDot, forKey: .thetaDot)
        try c.encode(elapsed, forKey: .elapsed)
        try c.encode(generators, forKey: .generators)
        try c.encode(observations, forKey: .observations)
    }

    public var observationSize: Int { 4 }
    public var observationSpace: Space { CartPole().observationSpace }
    public var actionSpace: Space { .discrete(2) }

    /// Resets every copy; copy i is seeded with seed + i (Gymnasium's vector convention).
    public mutating func reset(seed: UInt64?) {
        for i in 0..<count {
            if let seed { generators[i] = RandomGenerator(seed: seed &+ UInt64(i)) }
            resetCopy(i)
        }
        writeObservations()
    }

    /// CartPole's reset: each state variable uniform in [−0.05, 0.05), drawn in order.
    private mutating func resetCopy(_ i: Int) {
        x[i] = -0.05 + 0.1 * generators[i].nextUniformDouble()
        xDot[i] = -0.05 + 0.1 * generators[i].nextUniformDouble()
        theta[i] = -0.05 + 0.1 * generators[i].nextUniformDouble()
        thetaDot[i] = -0.05 + 0.1 * generators[i].nextUniformDouble()
        elapsed[i] = 0
    }

    public mutating func step(flatActions actions: [Float]) {
        precondition(actions.count == count, "\(actions.count) actions for \(count) carts")
        let (xLimit, thetaLimit) = (CartPole.xThreshold, CartPole.thetaThreshold)
        // The physics: one loop over contiguous arrays, which the compiler vectorises. Angles
        // beyond ±0.5 rad (reachable only from a state set by hand) take libm's sin and cos.
        if theta.contains(where: { Swift.abs($0) > 0.5 }) {
            integrate(actions, sin: { Foundation.sin($0) }, cos: { Foundation.cos($0) })
        } else {
            integrate(actions, sin: smallSin, cos: smallCos)
        }
        // Bookkeeping: flags and the time limit in one pass over the arrays (no branches), then
        // auto-reset for the few copies whose episodes ended.
        let n = count, limit = Int32(maxEpisodeSteps)
        var ended = 0
        x.withUnsafeBufferPointer { x in
        theta.withUnsafeBufferPointer { theta in
        elapsed.withUnsafeMutableBufferPointer { elapsed in
        terminated.withUnsafeMutableBufferPointer { terminated in
        truncated.withUnsafeMutableBufferPointer { truncated in
            for i in 0..<n {
                let done = (x[i] < -xLimit) || (x[i] > xLimit) || (theta[i] < -thetaLimit) || (theta[i] > thetaLimit)
                elapsed[i] &+= 1
                let cut = elapsed[i] >= limit
                terminated[i] = done
                truncated[i] = cut
                ended &+= (done || cut) ? 1 : 0
            }
        } } } } }
        finishedEpisodes.removeAll(keepingCapacity: true)
        if ended > 0 {
            for i in 0..<n where terminated[i] || truncated[i] {
                finishedEpisodes.append((i, EpisodeRecord(totalReward: Double(elapsed[i]), length: Int(elapsed[i]))))
                finalObservations[4 * i] = Float(x[i])
                finalObservations[4 * i + 1] = Float(xDot[i])
                finalObservations[4 * i + 2] = Float(theta[i])
                finalObservations[4 * i + 3] = Float(thetaDot[i])
                resetCopy(i)
            }
        }
        writeObservations()
    }

    /// All rows of `observations` from the state arrays.
    private mutating func writeObservations() {
        let n = count
        x.withUnsafeBufferPointer { x in
        xDot.withUnsafeBufferPointer { xDot in
        theta.withUnsafeBufferPointer { theta in
        thetaDot.withUnsafeBufferPointer { thetaDot in
        observations.withUnsafeMutableBufferPointer { o in
            for i in 0..<n {
                o[4 * i] = Float(x[i])
                o[4 * i + 1] = Float(xDot[i])
                o[4 * i + 2] = Float(theta[i])
                o[4 * i + 3] = Float(thetaDot[i])
            }
        } } } } }
    }

    /// One Euler step of every cart (Florian 2007, as `CartPole.step`).
    @inline(__always)
    private mutating func integrate(_ actions: [Float], sin: (Double) -> Double, cos: (Double) -> Double) {
        let (gravity, totalMass, massPole) = (CartPole.gravity, CartPole.totalMass, CartPole.massPole)
        let (halfLength, poleMassLength, tau, force) = (CartPole.halfLength, CartPole.poleMassLength, CartPole.tau, CartPole.forceMagnitude)
        let n = count
        x.withUnsafeMutableBufferPointer { x in
        xDot.withUnsafeMutableBufferPointer { xDot in
        theta.withUnsafeMutableBufferPointer { theta in
        thetaDot.withUnsafeMutableBufferPointer { thetaDot in
        actions.withUnsafeBufferPointer { actions in
            for i in 0..<n {
                let t = theta[i], td = thetaDot[i]
                let (sinT, cosT) = (sin(t), cos(t))
                let f = actions[i] > 0.5 ? force : -force
                let temp = (f + poleMassLength * td * td * sinT) / totalMass
                let thetaAcc = (gravity * sinT - cosT * temp) / (halfLength * (4.0 / 3.0 - massPole * cosT * cosT / totalMass))
                let xAcc = temp - poleMassLength * thetaAcc * cosT / totalMass
                let xi = x[i], xd = xDot[i]
                x[i] = xi + tau * xd
                xDot[i] = xd + tau * xAcc
                theta[i] = t + tau * td
                thetaDot[i] = td + tau * thetaAcc
            }
        } } } } }
    }

    public func snapshot() throws -> Data { try JSONEncoder().encode(self) }

    public mutating func restore(from snapshot: Data) throws {
        let restored: CartPoleBatch
        do { restored = try JSONDecoder().decode(CartPoleBatch.self, from: snapshot) } catch let error as SnapshotError {
            throw error
        } catch {
            throw SnapshotError.malformed("\(error)")
        }
        guard restored.count == count else { throw SnapshotError.malformed("expected \(count) carts, found \(restored.count)") }
        self = restored
    }
}

/// sin θ for |θ| ≤ 0.5 by its Taylor series to θ¹⁷ (the first omitted term is below 1e-18·|θ|).
@inline(__always) func smallSin(_ t: Double) -> Double {
    let t2 = t * t
    var p = -1.0 / 355_687_428_096_000  // −1/17!
    p = p * t2 + 1.0 / 1_307_674_368_000
    p = p * t2 - 1.0 / 6_227_020_800
    p = p * t2 + 1.0 / 39_916_800
    p = p * t2 - 1.0 / 362_880
    p = p * t2 + 1.0 / 5040
    p = p * t2 - 1.0 / 120
    p = p * t2 + 1.0 / 6
    return t - t * t2 * p
}

/// cos θ for |θ| ≤ 0.5 by its Taylor series to θ¹⁶.
@inline(__always) func smallCos(_ t: Double) -> Double {
    let t2 = t * t
    var p = 1.0 / 20_922_789_888_000  // 1/16!
    p = p * t2 - 1.0 / 87_178_291_200
    p = p * t2 + 1.0 / 479_001_600
    p = p * t2 - 1.0 / 3_628_800
    p = p * t2 + 1.0 / 40320
    p = p * t2 - 1.0 / 720
    p = p * t2 + 1.0 / 24
    p = p * t2 - 1.0 / 2
    return 1 + t2 * p
}
