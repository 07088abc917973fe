import CFloatMode

/// Subnormal floats (magnitudes below 1.2·10⁻³⁸) take a microcode assist on many x86 cores:
/// an operation that meets one costs 10–100 times a normal one. Training makes them: Adam's
/// moments of a weight whose gradient is zero (a dead ReLU unit) decay through the subnormal
/// range, and a small gradient squared lands there. DQN's CartPole run spends half its time in
/// such assists on an Intel Xeon (36 s → 17 s with flushing). Flushing them to zero, as
/// TensorFlow does by default on the CPU, changes nothing a network can represent usefully.
public enum Subnormals {
    /// Whether this thread flushes subnormals to zero (threads it starts afterwards inherit it).
    public static var areFlushedToZero: Bool {
        get { athanor_flushes_subnormals() != 0 }
        set { athanor_set_flushes_subnormals(newValue ? 1 : 0) }
    }
}

/// Runs `body` with subnormals flushed to zero on this thread, then restores the previous mode.
public func withSubnormalsFlushedToZero<Result>(_ body: () throws -> Result) rethrows -> Result {
    let previous = Subnormals.areFlushedToZero
    Subnormals.areFlushedToZero = true
    defer { Subnormals.areFlushedToZero = previous }
    return try body()
}
