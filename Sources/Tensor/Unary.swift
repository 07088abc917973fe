// Element-wise functions and activations. Where the derivative is cheaper from the output
// (exp, sqrt, tanh, sigmoid) the backward reads the saved output instead of the input.

extension Tensor {
    public func exp() -> Tensor {
        let y = map(scalarExp)
        return y.recordingGradient(of: self) { g in g.map(with: y, *) }
    }

    public func log() -> Tensor {
        let x = self
        return map(scalarLog).recordingGradient(of: x) { g in g.map(with: x, /) }
    }

    public func sqrt() -> Tensor {
        let y = map { $0.squareRoot() }
        return y.recordingGradient(of: self) { g in g.map(with: y) { gi, yi in gi * 0.5 / yi } }
    }

    public func abs() -> Tensor {
        let x = self
        return map { Swift.abs($0) }.recordingGradient(of: x) { g in
            g.map(with: x) { gi, xi in xi > 0 ? gi : (xi < 0 ? -gi : 0) }
        }
    }

    /// Limits every element to `[minimum, maximum]`; the gradient passes where the input was
    /// inside the interval (bounds included), as PyTorch's `clamp`.
    public func clamped(min minimum: Float = -.infinity, max maximum: Float = .infinity) -> Tensor {
        precondition(minimum <= maximum, "clamp bounds \(minimum) > \(maximum)")
        let x = self
        return map { Swift.min(Swift.max($0, minimum), maximum) }.recordingGradient(of: x) { g in
            g.map(with: x) { gi, xi in xi >= minimum && xi <= maximum ? gi : 0 }
        }
    }

    public func tanh() -> Tensor {
        let y = map(fastTanh)
        return y.recordingGradient(of: self) { g in g.map(with: y) { gi, yi in gi * (1 - yi * yi) } }
    }

    public func sigmoid() -> Tensor {
        let y = map(scalarSigmoid)
        return y.recordingGradient(of: self) { g in g.map(with: y) { gi, yi in gi * yi * (1 - yi) } }
    }

    public func relu() -> Tensor {
        let x = self
        return map { Swift.max($0, 0) }.recordingGradient(of: x) { g in
            g.map(with: x) { gi, xi in xi > 0 ? gi : 0 }
        }
    }

    /// GELU with the exact Gaussian CDF, x·Φ(x) (PyTorch's default, `approximate='none'`).
    public func gelu() -> Tensor {
        let x = self
        let invSqrt2: Float = 0.707_106_781_186_547_5
        let invSqrt2Pi: Float = 0.398_942_280_401_432_7
        return map { 0.5 * $0 * (1 + scalarErf($0 * invSqrt2)) }.recordingGradient(of: x) { g in
            g.map(with: x) { gi, xi in
                let cdf = 0.5 * (1 + scalarErf(xi * invSqrt2))
                let pdf = invSqrt2Pi * scalarExp(-0.5 * xi * xi)
                return gi * (cdf + xi * pdf)
            }
        }
    }

    /// GELU with the tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): GPT-2's
    /// `gelu_new` (PyTorch's `approximate='tanh'`), so a GPT here computes what GPT-2's checkpoints expect.
    public func geluTanh() -> Tensor {
        let x = self
        let c: Float = 0.797_884_560_802_865_4  // √(2/π)
        return map { 0.5 * $0 * (1 + fastTanh(c * ($0 + 0.044_715 * $0 * $0 * $0))) }.recordingGradient(of: x) { g in
            g.map(with: x) { gi, xi in
                let t = fastTanh(c * (xi + 0.044_715 * xi * xi * xi))
                return gi * (0.5 * (1 + t) + 0.5 * xi * (1 - t * t) * c * (1 + 3 * 0.044_715 * xi * xi))
            }
        }
    }

    /// SiLU (swish), x·σ(x).
    public func silu() -> Tensor {
        let x = self
        return map { $0 * scalarSigmoid($0) }.recordingGradient(of: x) { g in
            g.map(with: x) { gi, xi in
                let s = scalarSigmoid(xi)
                return gi * s * (1 + xi * (1 - s))
            }
        }
    }

    public func square() -> Tensor {
        let x = self
        return map { $0 * $0 }.recordingGradient(of: x) { g in g.map(with: x) { gi, xi in 2 * gi * xi } }
    }
}
