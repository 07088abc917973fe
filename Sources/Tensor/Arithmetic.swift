// + − × ÷ with broadcasting, their scalar forms, and powers. Each backward sits beside its
// forward; `sum(toShape:)` undoes broadcasting in the gradient.

extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (shapeA, shapeB, needA, needB) = (a.shape, b.shape, a.requiresGrad, b.requiresGrad)
        return zipMap(a, b, +).recordingGradient(of: [a, b]) { g in
            [needA ? g.sum(toShape: shapeA) : nil, needB ? g.sum(toShape: shapeB) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (shapeA, shapeB, needA, needB) = (a.shape, b.shape, a.requiresGrad, b.requiresGrad)
        return zipMap(a, b, -).recordingGradient(of: [a, b]) { g in
            [needA ? g.sum(toShape: shapeA) : nil, needB ? (-g).sum(toShape: shapeB) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        zipMap(a, b, *).recordingGradient(of: [a, b]) { g in
            [a.requiresGrad ? zipMap(g, b, *).sum(toShape: a.shape) : nil,
             b.requiresGrad ? zipMap(g, a, *).sum(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        zipMap(a, b, /).recordingGradient(of: [a, b]) { g in
            [a.requiresGrad ? zipMap(g, b, /).sum(toShape: a.shape) : nil,
             b.requiresGrad ? zipMap(zipMap(g, a, *), b) { ga, bb in -ga / (bb * bb) }.sum(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x.map { -$0 }.recordingGradient(of: x) { g in g.map { -$0 } }
    }

    // Scalar operands broadcast as rank-0 tensors.
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }

    /// `self` raised to a constant power.
    public func pow(_ exponent: Float) -> Tensor {
        let x = self
        return map { scalarPow($0, exponent) }.recordingGradient(of: x) { g in
            g.map(with: x) { gi, xi in gi * exponent * scalarPow(xi, exponent - 1) }
        }
    }
}

extension Tensor {
    /// Element-wise smaller of `a` and `b` (broadcast); the gradient goes to the chosen operand
    /// (to `a` on ties, as `torch.minimum` splits nothing either way for the PPO use).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        select(where: zipMap(a, b) { $0 <= $1 ? 1 : 0 }, a, b)
    }

    /// Element-wise larger of `a` and `b` (broadcast); the gradient goes to the chosen operand.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        select(where: zipMap(a, b) { $0 >= $1 ? 1 : 0 }, a, b)
    }
}
