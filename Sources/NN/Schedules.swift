import Foundation

/// A learning rate (or clip range) as a function of the update step.
public indirect enum Schedule: Sendable, Equatable {
    case constant(Float)
    /// Straight from `from` to `to` over `steps`, then held (SB3's linear schedule with to = 0).
    case linear(from: Float, to: Float, steps: Int)
    /// Half a cosine from `from` down to `to` over `steps`, then held (Loshchilov & Hutter, 2017).
    case cosine(from: Float, to: Float, steps: Int)
    /// Rises linearly from 0 over `steps`, then follows `then` from its step 0 (as nanoGPT).
    case warmup(steps: Int, then: Schedule)

    public func value(at step: Int) -> Float {
        switch self {
        case .constant(let value):
            return value
        case .linear(let from, let to, let steps):
            let progress = steps > 0 ? Swift.min(Float(step) / Float(steps), 1) : 1
            return from + (to - from) * progress
        case .cosine(let from, let to, let steps):
            let progress = steps > 0 ? Swift.min(Double(step) / Double(steps), 1) : 1
            return to + (from - to) * Float(0.5 * (1 + Foundation.cos(Double.pi * progress)))
        case .warmup(let steps, let then):
            if step < steps { return then.value(at: 0) * Float(step + 1) / Float(steps) }
            return then.value(at: step - steps)
        }
    }
}
