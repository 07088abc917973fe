// c + a·b, the inner step of every product and polynomial in the kernels.
//
// Where the build has the FMA instruction (the baseline and native builds, and every arm64 core)
// this is Swift's `addingProduct`: one instruction, one rounding. In a build without it
// (ATHANOR_CPU=generic on x86_64, which is what a package depending on Athanor by version gets)
// `addingProduct` would have to stay exact and becomes a libm call per lane — sixty times slower on
// the small MLP — so there it is a multiply and an add, with two roundings.

extension Float {
    @inlinable @inline(__always) public func plusProduct(_ a: Float, _ b: Float) -> Float {
        #if ATHANOR_FMA
        addingProduct(a, b)
        #else
        self + a * b
        #endif
    }
}

extension SIMD8 where Scalar == Float {
    @inlinable @inline(__always) public func plusProduct(_ a: Self, _ b: Self) -> Self {
        #if ATHANOR_FMA
        addingProduct(a, b)
        #else
        self + a * b
        #endif
    }
}
