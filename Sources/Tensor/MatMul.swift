import COpenBLAS

// Matrix products through OpenBLAS's cblas_sgemm (small ones through SmallMatmul.swift).
// Transposes are flags, never copies: the backward of C = op(A)·op(B) is two more products
// with the flags rearranged.

/// C ← alpha·op(A)·op(B) + beta·C for row-major matrices; op(A) is m×k, op(B) is k×n.
/// With `bias` (n values, beta 0): C ← bias + alpha·op(A)·op(B), the bias added to every row.
/// `splitting: false` keeps a large product on this thread (its caller has split the work already).
@inline(__always)
func sgemm(_ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
           _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
           bias: UnsafePointer<Float>? = nil, splitting: Bool = true) {
    if m == 0 || n == 0 { return }
    if let bias, k == 0 || !(m * n * k <= smallMatmulLimit && n >= 8 && alpha == 1) {
        // Only the Swift kernel takes the bias into its accumulators; elsewhere it is copied first.
        fillRows(c, rows: m, with: bias, count: n)
        sgemm(a, transposeA: transposeA, b, transposeB: transposeB, c, m: m, n: n, k: k, alpha: alpha, beta: 1, splitting: splitting)
        return
    }
    if k == 0 {
        if beta == 0 { c.update(repeating: 0, count: m * n) }
        return
    }
    if m * n * k <= smallMatmulLimit && alpha == 1 && (beta == 0 || beta == 1) {
        if n >= 8 {
            smallMatmul(a, transposeA: transposeA, b, transposeB: transposeB, c, m: m, n: n, k: k,
                        accumulate: beta == 1, bias: bias)
            return
        }
        if narrowMatmul(a, transposeA: transposeA, b, transposeB: transposeB, c, m: m, n: n, k: k, accumulate: beta == 1) {
            return
        }
    }
    _ = BLAS.configured
    let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
    @inline(__always) func rows(_ range: Range<Int>) {
        // Rows i of op(A) start at row i of A, or at column i of the stored Aᵀ.
        let start = range.lowerBound
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(range.count), Int32(n), Int32(k), alpha,
                    a + (transposeA ? start : start * k), Int32(lda), b, Int32(ldb), beta, c + start * n, Int32(n))
    }
    // A large product is two products of half of C's rows each, the second on the helper thread
    // when one is free (the training loop runs OpenBLAS on one thread): a network on a single chain
    // (BC, a DQN's backward, a transformer) then uses the second core too. The split depends on the
    // sizes alone — never on the helper or on OpenBLAS's thread count, which concurrent callers
    // change — so the numbers do not either.
    guard splitting && m >= 2 * halvedProductRows && m * n * k >= halvedProductLimit else { return rows(0..<m) }
    let top = (m / 2 + halvedProductRows / 2) / halvedProductRows * halvedProductRows
    sideBySide({ rows(0..<top) }, { rows(top..<m) })
}

/// Products of at least this many multiply-adds are split into two halves of rows (≈ 40 µs of work or more each).
let halvedProductLimit = 1 << 21
/// The halves' rows are multiples of this (OpenBLAS's sgemm kernels take 16 rows at a time on x86-64).
let halvedProductRows = 16

/// The textbook triple loop, kept as the reference the BLAS path is tested against.
public func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                        transposeA: Bool = false, transposeB: Bool = false) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var total: Double = 0
            for p in 0..<k {
                let av = transposeA ? a[p * m + i] : a[i * k + p]
                let bv = transposeB ? b[j * k + p] : b[p * n + j]
                total += Double(av) * Double(bv)
            }
            c[i * n + j] = Float(total)
        }
    }
    return c
}

extension Tensor {
    /// Matrix product op(a)·op(b) where op transposes the last two axes if asked.
    ///
    /// Ranks: both 2 (plain); a of rank > 2 with b of rank 2 (the leading axes of a are
    /// batch: one sgemm); or both of one rank > 2 with equal leading axes (a batched product).
    public static func matmul(_ a: Tensor, _ b: Tensor,
                              transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul needs rank ≥ 2, got \(a.shape) and \(b.shape)")
        let (ar, br) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (m, k) = transposeA ? (br, ar) : (ar, br)
        let (bRows, bColumns) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (k2, n) = transposeB ? (bColumns, bRows) : (bRows, bColumns)
        precondition(k == k2, "matmul inner extents differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")

        if b.rank == 2 && !transposeA {
            // Fold a's leading axes into its rows: one call, whatever the batch.
            let rows = a.count / Swift.max(k, 1)
            var outShape = Array(a.shape.dropLast())
            outShape.append(n)
            let out = Tensor(uninitializedShape: outShape)
            sgemm(a.storage.base, transposeA: false, b.storage.base, transposeB: transposeB,
                  out.storage.base, m: rows, n: n, k: k)
            return out.recordingGradient(of: [a, b]) { g in
                [a.requiresGrad ? matmul(g, b, transposeB: !transposeB) : nil,
                 b.requiresGrad ? (transposeB ? matmul2D(g.flattenedToMatrix(), a.flattenedToMatrix(), true, false)
                                              : matmul2D(a.flattenedToMatrix(), g.flattenedToMatrix(), true, false)) : nil]
            }
        }

        precondition(a.rank == b.rank && a.shape.dropLast(2) == b.shape.dropLast(2),
                     "batched matmul needs equal leading axes: \(a.shape) and \(b.shape)")
        let batch = a.shape.dropLast(2).reduce(1, *)
        var outShape = Array(a.shape.dropLast(2))
        outShape += [m, n]
        let out = Tensor(uninitializedShape: outShape)
        let (pa, pb, po) = (a.storage.base, b.storage.base, out.storage.base)
        for i in 0..<batch {
            sgemm(pa + i * m * k, transposeA: transposeA, pb + i * k * n, transposeB: transposeB,
                  po + i * m * n, m: m, n: n, k: k)
        }
        return out.recordingGradient(of: [a, b]) { g in
            // C = op(A)·op(B): dA and dB are products of g with the other operand.
            let da: Tensor? = !a.requiresGrad ? nil
                : transposeA ? matmul(b, g, transposeA: transposeB, transposeB: true)
                : matmul(g, b, transposeA: false, transposeB: !transposeB)
            let db: Tensor? = !b.requiresGrad ? nil
                : transposeB ? matmul(g, a, transposeA: true, transposeB: transposeA)
                : matmul(a, g, transposeA: !transposeA, transposeB: false)
            return [da, db]
        }
    }

    /// A tensor of rank ≥ 2 seen as a matrix: leading axes folded into rows.
    func flattenedToMatrix() -> Tensor {
        rank == 2 ? self : Tensor(shape: [count / shape[rank - 1], shape[rank - 1]], storage: storage)
    }

    static func matmul2D(_ a: Tensor, _ b: Tensor, _ transposeA: Bool, _ transposeB: Bool) -> Tensor {
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        let out = Tensor(uninitializedShape: [m, n])
        sgemm(a.storage.base, transposeA: transposeA, b.storage.base, transposeB: transposeB,
              out.storage.base, m: m, n: n, k: k)
        return out
    }

    /// Element-wise functions `linear` and `batchedLinear` can apply to their result in the same pass.
    public enum FusedActivation: Int, Sendable { case identity, tanh, relu, leakyReLU }

    /// The slope of `FusedActivation.leakyReLU` below zero: PyTorch's default `negative_slope`, MBRL-Lib's PETS activation.
    public static let leakyReLUSlope: Float = 0.01

    /// f(x·Wᵀ + b) with W stored as [out, in] (PyTorch's layout), fused: the bias is written
    /// first and the product accumulates onto it, the activation is applied in place, and the
    /// backward needs three matrix-sized steps. Saves an op (and its buffers) per hidden layer.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?,
                              activation: FusedActivation = .identity) -> Tensor {
        precondition(weight.rank == 2, "linear weight must be [out, in], got \(weight.shape)")
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        precondition(x.shape.last == inFeatures, "linear expects \(inFeatures) input features, got \(x.shape)")
        if let bias {
            precondition(bias.rank == 1 && bias.shape[0] == outFeatures, "linear bias must be [\(outFeatures)], got \(bias.shape)")
        }
        let rows = x.count / Swift.max(inFeatures, 1)
        // The result's shape: x's own array when the width is unchanged, a pooled [rows, out]
        // when a pool is in scope (a new array is an allocation), else a new array.
        var outShape = x.shape
        if outFeatures != inFeatures {
            if x.rank == 2, let pool = TensorPool.current {
                outShape = pool.shape(rows, outFeatures)
            } else {
                outShape[outShape.count - 1] = outFeatures
            }
        }
        let out = Tensor(uninitializedShape: outShape)
        let po = out.storage.base
        sgemm(x.storage.base, transposeA: false, weight.storage.base, transposeB: true, po,
              m: rows, n: outFeatures, k: inFeatures, bias: bias?.storage.base)
        activation.apply(po, count: out.count)
        return out.recordingGradient(of: x, weight, bias, saving: LinearSaved(input: x, weight: weight, bias: bias, output: out,
                                                                            activation: activation)) { saved, g in
            linearBackward(LinearSaved(unpacking: saved), g)
        }
    }

    /// What `linear`'s backward reads: x, W, b and y = f(x·Wᵀ + b), by name. A view of the
    /// node's slots, not a copy of them: packing and unpacking move nothing.
    struct LinearSaved: SavedForBackward {
        private var slots: SavedTensors

        init(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor, activation: FusedActivation) {
            slots = SavedTensors((input, weight, bias, output), option: activation.rawValue)
        }

        init(unpacking saved: consuming SavedTensors) { slots = saved }
        consuming func packed() -> SavedTensors { slots }

        var input: Tensor { slots.slots.0! }
        var weight: Tensor { slots.slots.1! }
        var bias: Tensor? { slots.slots.2 }
        var output: Tensor { slots.slots.3! }
        var activation: FusedActivation { FusedActivation(rawValue: slots.option) ?? .identity }
    }

    /// linear's backward, from what it saved; captures nothing.
    private static func linearBackward(_ saved: LinearSaved, _ g: Tensor) -> OperandGradients {
        let (x, weight, out) = (saved.input, saved.weight, saved.output)
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        let rows = x.count / Swift.max(inFeatures, 1)
        // Through the activation first, from the saved output y.
        let gz = saved.activation.backward(g, output: out)
        // Results take the shapes of x, W and b (sharing their shape arrays).
        let dx = x.requiresGrad
            ? product(gz, weight, rows: rows, k: outFeatures, columns: inFeatures, shape: x.shape) : nil
        let dw = weight.requiresGrad  // gᵀ·x
            ? product(gz, x, transposeA: true, rows: outFeatures, k: rows, columns: inFeatures, shape: weight.shape) : nil
        guard let bias = saved.bias, bias.requiresGrad else { return (dx, dw, nil) }
        return (dx, dw, columnSums(gz, rows: rows, columns: outFeatures, shape: bias.shape))
    }
}


/// op(a)·b as a new tensor of `shape` (rows × columns elements), a and b read as matrices.
private func product(_ a: Tensor, _ b: Tensor, transposeA: Bool = false,
                     rows: Int, k: Int, columns: Int, shape: [Int]) -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    sgemm(a.storage.base, transposeA: transposeA, b.storage.base, transposeB: false, out.storage.base,
          m: rows, n: columns, k: k)
    return out
}

/// Σ over the rows of a rows × columns matrix (a bias's gradient), as a tensor of `shape`.
private func columnSums(_ g: Tensor, rows: Int, columns: Int, shape: [Int]) -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    let (pg, po) = (g.storage.base, out.storage.base)
    var j = 0
    @inline(__always) func lanes(_ r: Int) -> Lanes { UnsafeRawPointer(pg + r * columns + j).loadUnaligned(as: Lanes.self) }
    while j + 8 <= columns {
        // Eight columns summed down the rows in registers, four rows at a time so that four
        // additions are in flight (one chain would wait on each addition's latency).
        var (t0, t1, t2, t3) = (Lanes(), Lanes(), Lanes(), Lanes())
        var r = 0
        while r + 4 <= rows {
            t0 += lanes(r); t1 += lanes(r + 1); t2 += lanes(r + 2); t3 += lanes(r + 3)
            r += 4
        }
        while r < rows { t0 += lanes(r); r += 1 }
        UnsafeMutableRawPointer(po + j).storeBytes(of: (t0 + t1) + (t2 + t3), as: Lanes.self)
        j += 8
    }
    for column in j..<columns {
        var total: Float = 0
        for r in 0..<rows { total += pg[r * columns + column] }
        po[column] = total
    }
    return out
}

/// Copies `count` values into each of `rows` consecutive rows, eight lanes at a time (a
/// memcpy call per short row costs more than the copy).
func fillRows(_ destination: UnsafeMutablePointer<Float>, rows: Int, with source: UnsafePointer<Float>, count: Int) {
    for r in 0..<rows {
        let row = destination + r * count
        var j = 0
        while j + 8 <= count {
            UnsafeMutableRawPointer(row + j).storeBytes(of: UnsafeRawPointer(source + j).loadUnaligned(as: Lanes.self),
                                                        as: Lanes.self)
            j += 8
        }
        while j < count { row[j] = source[j]; j += 1 }
    }
}
