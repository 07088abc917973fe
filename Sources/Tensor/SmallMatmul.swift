// A register-blocked matrix product in Swift for the small shapes RL networks train on.
//
// OpenBLAS spends 1–3 µs per call on dispatch and packing before any arithmetic, which is
// most of the cost of a 64-unit MLP (eight products of ~16k multiply-adds each). For
// products up to `smallMatmulLimit` multiply-adds with at least 8 columns we compute
// C = op(A)·op(B) directly: op(B) is copied (only if transposed or ragged) into rows padded
// to 8 lanes, and each 6×16 block of C lives in twelve SIMD8 accumulators while k runs, with
// A's elements broadcast one at a time. Larger products (where cache blocking matters) and
// narrow ones (where most lanes would idle) go to cblas_sgemm. Measured on Zen 3 against
// Debian's OpenBLAS 0.3.21: 0.6–0.8× its time on the 64-unit MLP's products.

/// Products with m·n·k at most this, and at least 8 columns, use the kernel below.
let smallMatmulLimit = 1 << 18

typealias Lanes = SIMD8<Float>

@inline(__always) private func load(_ p: UnsafePointer<Float>) -> Lanes {
    UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
}

@inline(__always) private func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
    UnsafeMutableRawPointer(p).storeBytes(of: accumulate ? v + load(p) : v, as: Lanes.self)
}

@inline(__always) private func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, count: Int, accumulate: Bool) {
    if count == 8 {
        store(v, p, accumulate)
    } else {
        for lane in 0..<count { p[lane] = accumulate ? p[lane] + v[lane] : v[lane] }
    }
}

/// Narrow products (n < 8, such as a policy or value head) that the kernels below do well:
/// A·Bᵀ as dot products along k, and Aᵀ·op(B) as the wide product Cᵀ = op(B)ᵀ·A.
/// Returns false when neither applies.
func narrowMatmul(_ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
                  _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, accumulate: Bool) -> Bool {
    if transposeB && !transposeA {
        // C[i, j] = Σ_p a[i, p]·b[j, p]: both rows contiguous along k.
        for i in 0..<m {
            let row = a + i * k
            for j in 0..<n {
                let column = b + j * k
                var lanes = Lanes()
                var p = 0
                while p + 8 <= k {
                    lanes = lanes.plusProduct(load(row + p), load(column + p))
                    p += 8
                }
                var total = lanes.sum()
                while p < k { total += row[p] * column[p]; p += 1 }
                c[i * n + j] = accumulate ? c[i * n + j] + total : total
            }
        }
        return true
    }
    if transposeA && m % 8 == 0 {
        // a is stored [k, m], which is exactly the row-major B operand of Cᵀ = op(B)ᵀ·a.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: n * m) { buffer in
            let transposed = buffer.baseAddress!
            smallMatmulKernel(b, !transposeB, a, transposed, n, m, k, false)
            for i in 0..<m {
                for j in 0..<n {
                    let value = transposed[j * m + i]
                    c[i * n + j] = accumulate ? c[i * n + j] + value : value
                }
            }
        }
        return true
    }
    return false
}

/// C (m×n, row-major) = op(A)·op(B), or C += op(A)·op(B) when `accumulate`, or
/// C = bias + op(A)·op(B) with the n-vector `bias` added to every row (a linear layer).
func smallMatmul(_ a: UnsafePointer<Float>, transposeA: Bool, _ b: UnsafePointer<Float>, transposeB: Bool,
                 _ c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, accumulate: Bool,
                 bias: UnsafePointer<Float>? = nil) {
    let paddedN = (n + 7) & ~7
    if !transposeB && paddedN == n {
        smallMatmulKernel(a, transposeA, b, c, m, n, k, accumulate, bias: bias)
        return
    }
    // Rows of op(B), padded with zeros to a multiple of 8 lanes, in a tensor buffer (pooled
    // in a training loop; the stack takes only 1 KiB before Swift falls back to the heap).
    let scratch = TensorStorage.allocate(count: k * paddedN)
    withExtendedLifetime(scratch) {
        let packed = scratch.base
        if transposeB {
            // op(B)[p, j] = b[j * k + p]: gather eight rows of b into one vector of packed row p.
            var j = 0
            while j + 8 <= n {
                let rows = b + j * k
                for p in 0..<k {
                    let column = rows + p
                    let lanes = Lanes(column[0], column[k], column[2 * k], column[3 * k],
                                      column[4 * k], column[5 * k], column[6 * k], column[7 * k])
                    UnsafeMutableRawPointer(packed + p * paddedN + j).storeBytes(of: lanes, as: Lanes.self)
                }
                j += 8
            }
            for p in 0..<k {
                for q in j..<paddedN { packed[p * paddedN + q] = q < n ? b[q * k + p] : 0 }
            }
        } else {
            for p in 0..<k {
                let row = packed + p * paddedN
                row.update(from: b + p * n, count: n)
                for j in n..<paddedN { row[j] = 0 }
            }
        }
        smallMatmulKernel(a, transposeA, UnsafePointer(packed), c, m, paddedN, k, accumulate, validColumns: n, bias: bias)
    }
}

/// The blocked loops; B is row-major [k, ldb] with ldb a multiple of 8; only `validColumns`
/// columns of C (whose row stride is that count) are written.
///
/// Full tiles are 6 rows × 16 columns: twelve SIMD8 accumulators, enough independent FMA
/// chains to hide the FMA latency (two issue per cycle, four cycles each), with two vectors of
/// B and one broadcast of A still fitting AVX2's sixteen registers. Rows and columns left over
/// go through `smallMatmulEdge`.
@inline(__always)
private func smallMatmulKernel(_ a: UnsafePointer<Float>, _ transposeA: Bool, _ b: UnsafePointer<Float>,
                               _ c: UnsafeMutablePointer<Float>, _ m: Int, _ ldb: Int, _ k: Int,
                               _ accumulate: Bool, validColumns: Int? = nil, bias: UnsafePointer<Float>? = nil) {
    let n = validColumns ?? ldb
    // op(A)[i, p] = a[i * rowStride + p * columnStride]
    let (rowStride, columnStride) = transposeA ? (1, m) : (k, 1)
    let fullColumns = n & ~15
    var i = 0
    while i + 6 <= m {
        var j = 0
        while j < fullColumns {
            // The accumulators start from the bias, if any: C's first write is its final value.
            let start0 = bias.map { load($0 + j) } ?? Lanes(), start1 = bias.map { load($0 + j + 8) } ?? Lanes()
            var c00 = start0, c01 = start1, c10 = start0, c11 = start1, c20 = start0, c21 = start1
            var c30 = start0, c31 = start1, c40 = start0, c41 = start1, c50 = start0, c51 = start1
            // Walking pointers instead of indexing keeps overflow checks out of the loop.
            var bp = b + j, ap = a + i * rowStride
            let (r1, r2, r3, r4, r5) = (rowStride, rowStride &* 2, rowStride &* 3, rowStride &* 4, rowStride &* 5)
            for _ in 0..<k {
                let b0 = load(bp), b1 = load(bp + 8)
                var x = Lanes(repeating: ap[0]); c00 = c00.plusProduct(x, b0); c01 = c01.plusProduct(x, b1)
                x = Lanes(repeating: ap[r1]); c10 = c10.plusProduct(x, b0); c11 = c11.plusProduct(x, b1)
                x = Lanes(repeating: ap[r2]); c20 = c20.plusProduct(x, b0); c21 = c21.plusProduct(x, b1)
                x = Lanes(repeating: ap[r3]); c30 = c30.plusProduct(x, b0); c31 = c31.plusProduct(x, b1)
                x = Lanes(repeating: ap[r4]); c40 = c40.plusProduct(x, b0); c41 = c41.plusProduct(x, b1)
                x = Lanes(repeating: ap[r5]); c50 = c50.plusProduct(x, b0); c51 = c51.plusProduct(x, b1)
                bp += ldb
                ap += columnStride
            }
            let row = c + i * n + j
            store(c00, row, accumulate); store(c01, row + 8, accumulate)
            store(c10, row + n, accumulate); store(c11, row + n + 8, accumulate)
            store(c20, row + 2 * n, accumulate); store(c21, row + 2 * n + 8, accumulate)
            store(c30, row + 3 * n, accumulate); store(c31, row + 3 * n + 8, accumulate)
            store(c40, row + 4 * n, accumulate); store(c41, row + 4 * n + 8, accumulate)
            store(c50, row + 5 * n, accumulate); store(c51, row + 5 * n + 8, accumulate)
            j += 16
        }
        if fullColumns < n {
            smallMatmulEdge(a, rowStride, columnStride, b, c, rows: i..<(i + 6), columns: fullColumns..<n, ldb, k,
                            accumulate, bias: bias)
        }
        i += 6
    }
    if i < m {
        smallMatmulEdge(a, rowStride, columnStride, b, c, rows: i..<m, columns: 0..<n, ldb, k, accumulate, bias: bias)
    }
}

/// The rows and columns outside full 6×16 tiles, four rows and up to 16 columns at a time;
/// `columns.upperBound` is C's row stride. Kept out of line: it is small work, and inlining it
/// would crowd the registers of the tile loop.
@inline(never)
private func smallMatmulEdge(_ a: UnsafePointer<Float>, _ rowStride: Int, _ columnStride: Int,
                             _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                             rows: Range<Int>, columns: Range<Int>, _ ldb: Int, _ k: Int, _ accumulate: Bool,
                             bias: UnsafePointer<Float>?) {
    let n = columns.upperBound
    var i = rows.lowerBound
    while i < rows.upperBound {
        let height = Swift.min(4, rows.upperBound - i)
        var j = columns.lowerBound
        while j < n {
            let wide = j + 8 < n  // two vectors of columns (16) or one (8)
            let first = Swift.min(8, n - j), second = Swift.max(0, Swift.min(8, n - j - 8))
            var start0 = Lanes(), start1 = Lanes()
            if let bias {
                for lane in 0..<first { start0[lane] = bias[j + lane] }
                for lane in 0..<second { start1[lane] = bias[j + 8 + lane] }
            }
            var c00 = start0, c01 = start1, c10 = start0, c11 = start1
            var c20 = start0, c21 = start1, c30 = start0, c31 = start1
            var bp = b + j, ap = a + i * rowStride
            let (r1, r2, r3) = (rowStride, rowStride &* 2, rowStride &* 3)
            if height == 4 && wide {
                for _ in 0..<k {
                    let b0 = load(bp), b1 = load(bp + 8)
                    var x = Lanes(repeating: ap[0]); c00 = c00.plusProduct(x, b0); c01 = c01.plusProduct(x, b1)
                    x = Lanes(repeating: ap[r1]); c10 = c10.plusProduct(x, b0); c11 = c11.plusProduct(x, b1)
                    x = Lanes(repeating: ap[r2]); c20 = c20.plusProduct(x, b0); c21 = c21.plusProduct(x, b1)
                    x = Lanes(repeating: ap[r3]); c30 = c30.plusProduct(x, b0); c31 = c31.plusProduct(x, b1)
                    bp += ldb
                    ap += columnStride
                }
            } else {
                // Up to 4 rows and one or two vectors, same arithmetic.
                for _ in 0..<k {
                    let b0 = load(bp), b1 = wide ? load(bp + 8) : Lanes()
                    let x0 = Lanes(repeating: ap[0])
                    c00 = c00.plusProduct(x0, b0); c01 = c01.plusProduct(x0, b1)
                    if height > 1 { let x = Lanes(repeating: ap[r1]); c10 = c10.plusProduct(x, b0); c11 = c11.plusProduct(x, b1) }
                    if height > 2 { let x = Lanes(repeating: ap[r2]); c20 = c20.plusProduct(x, b0); c21 = c21.plusProduct(x, b1) }
                    if height > 3 { let x = Lanes(repeating: ap[r3]); c30 = c30.plusProduct(x, b0); c31 = c31.plusProduct(x, b1) }
                    bp += ldb
                    ap += columnStride
                }
            }
            func emit(_ r: Int, _ v0: Lanes, _ v1: Lanes) {
                let row = c + (i + r) * n + j
                store(v0, row, count: first, accumulate: accumulate)
                if second > 0 { store(v1, row + 8, count: second, accumulate: accumulate) }
            }
            emit(0, c00, c01)
            if height > 1 { emit(1, c10, c11) }
            if height > 2 { emit(2, c20, c21) }
            if height > 3 { emit(3, c30, c31) }
            j += wide ? 16 : 8
        }
        i += height
    }
}
