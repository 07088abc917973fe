import Foundation

// Scalar functions the kernels use. Names differ from the Tensor methods they serve so that
// calls inside `extension Tensor` are not taken for method calls.

@inline(__always) func scalarExp(_ x: Float) -> Float { Foundation.exp(x) }
@inline(__always) func scalarLog(_ x: Float) -> Float { Foundation.log(x) }
@inline(__always) func scalarPow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
@inline(__always) func scalarErf(_ x: Float) -> Float { Foundation.erf(x) }

/// tanh as a rational function, after Eigen's `ptanh_float`: a [13/6] minimax approximation,
/// accurate to a few ULP (2.4e-7 at worst, checked in the tests). It compiles to branch-free
/// SIMD code, where libm's `tanhf` is a call per element and dominates small MLPs.
/// Beyond Eigen's interval (±7.905, where Float tanh rounds to ±1 within 3 ULP) the rational
/// stays within 1.4e-7 of tanh up to ±9.5, where it passes 1; so we clamp the input there and
/// the result to ±1. Both clamps are written as comparisons, which compile to one min/max
/// instruction each (Swift.min/max would add NaN handling), and NaN still propagates.
@inline(__always) public func fastTanh(_ input: Float) -> Float {
    var x = input > 9.5 ? 9.5 : input
    x = x < -9.5 ? -9.5 : x
    let x2 = x * x
    // Horner's rule with fused multiply-adds: c + p·x².
    var p: Float = -2.760_768_477_423_55e-16
    p = Float(2.000_187_904_824_77e-13).plusProduct(p, x2)
    p = Float(-8.604_671_522_137_35e-11).plusProduct(p, x2)
    p = Float(5.122_297_090_371_14e-8).plusProduct(p, x2)
    p = Float(1.485_722_357_179_79e-5).plusProduct(p, x2)
    p = Float(6.372_619_288_754_36e-4).plusProduct(p, x2)
    p = Float(4.893_524_558_917_86e-3).plusProduct(p, x2)
    p = p * x
    var q: Float = 1.198_258_394_667_02e-6
    q = Float(1.185_347_056_866_54e-4).plusProduct(q, x2)
    q = Float(2.268_434_632_439_00e-3).plusProduct(q, x2)
    q = Float(4.893_525_185_543_85e-3).plusProduct(q, x2)
    let r = p / q
    return r > 1 ? 1 : (r < -1 ? -1 : r)
}

/// The logistic function, written to stay finite for large |x|.
@inline(__always) func scalarSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + scalarExp(-x)) }
    let e = scalarExp(x)
    return e / (1 + e)
}
