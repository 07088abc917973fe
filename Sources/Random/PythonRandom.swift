import Foundation

/// CPython's `random.Random`: the Mersenne Twister (MT19937) seeded as CPython seeds it from an
/// integer, with `random()`, `getrandbits`, `randbelow`, `sample` and `shuffle` drawing exactly
/// as CPython 3.x draws. It exists to reproduce data that a Python script defines by its seed
/// (the tiny-LM task's splits, `random.Random(0).sample(...)`) bit for bit; Athanor's own
/// stochastic components use `RandomGenerator`.
public struct PythonRandom: Sendable {
    private var state = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// `random.Random(seed)` for a non-negative integer seed.
    public init(seed: UInt64) {
        // CPython splits |seed| into 32-bit words, least significant first (at least one word).
        var key: [UInt32] = [UInt32(truncatingIfNeeded: seed)]
        if seed >> 32 != 0 { key.append(UInt32(truncatingIfNeeded: seed >> 32)) }
        initialise(byArray: key)
    }

    private mutating func initialise(seed: UInt32) {
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    private mutating func initialise(byArray key: [UInt32]) {
        initialise(seed: 19_650_218)
        var i = 1, j = 0
        for _ in 0..<Swift.max(624, key.count) {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_664_525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { state[0] = state[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            state[i] = (state[i] ^ ((state[i - 1] ^ (state[i - 1] >> 30)) &* 1_566_083_941)) &- UInt32(i)
            i += 1
            if i >= 624 { state[0] = state[623]; i = 1 }
        }
        state[0] = 0x8000_0000
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % 624] & 0x7FFF_FFFF)
            state[i] = state[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
        }
        index = 0
    }

    /// The next 32 tempered bits (`genrand_uint32`).
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `random()`: a double in [0, 1) from 53 bits.
    public mutating func random() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864 + b) * (1 / 9_007_199_254_740_992)
    }

    /// `getrandbits(k)` for 1 ≤ k ≤ 32.
    public mutating func bits(_ k: Int) -> UInt32 {
        precondition((1...32).contains(k), "bits(\(k)): only 1…32 bits are drawn at once")
        return nextUInt32() >> UInt32(32 - k)
    }

    /// `_randbelow(n)`: uniform in 0..<n by rejection of `n.bit_length()`-bit draws.
    public mutating func below(_ n: Int) -> Int {
        precondition(n > 0 && n <= Int(UInt32.max), "below(\(n)) needs 1 ≤ n < 2³²")
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = Int(bits(k))
        while r >= n { r = Int(bits(k)) }
        return r
    }

    /// `sample(range(n), k)`: k distinct integers of 0..<n in selection order, by the pool or the
    /// set method as CPython chooses between them.
    public mutating func sample(rangeOf n: Int, count k: Int) -> [Int] {
        precondition(k >= 0 && k <= n, "sample of \(k) from \(n)")
        var setSize = 21
        if k > 5 {
            // 4 ** ceil(log(3k, 4)), with CPython's floating-point logarithm.
            let exponent = (Foundation.log(Double(3 * k)) / Foundation.log(4.0)).rounded(.up)
            setSize += Int(Foundation.pow(4.0, exponent))
        }
        if n <= setSize {
            var pool = Array(0..<n), result = [Int](repeating: 0, count: k)
            for i in 0..<k {
                let j = below(n - i)
                result[i] = pool[j]
                pool[j] = pool[n - i - 1]
            }
            return result
        }
        var selected = Set<Int>(), result: [Int] = []
        result.reserveCapacity(k)
        for _ in 0..<k {
            var j = below(n)
            while selected.contains(j) { j = below(n) }
            selected.insert(j)
            result.append(j)
        }
        return result
    }

    /// `shuffle(x)` in place (Fisher–Yates from the end).
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(i, below(i + 1))
        }
    }
}
