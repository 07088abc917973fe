// Dot products, sums and y += αx over short contiguous rows, eight lanes at a time. A scalar loop
// that accumulates into one Float cannot be vectorised (the additions must stay in order), and
// waits on each addition: over the 32-wide heads and 128-wide rows of the tiny GPT, the fused
// attention and layer norm spent most of their time there.

@inline(__always) func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = Lanes(), i = 0
    while i + 8 <= count {
        lanes = lanes.plusProduct(UnsafeRawPointer(a + i).loadUnaligned(as: Lanes.self), UnsafeRawPointer(b + i).loadUnaligned(as: Lanes.self))
        i += 8
    }
    var total = lanes.sum()
    while i < count { total = total.plusProduct(a[i], b[i]); i += 1 }
    return total
}

@inline(__always) func rowSum(_ a: UnsafePointer<Float>, _ count: Int) -> Float {
    var lanes = Lanes(), i = 0
    while i + 8 <= count { lanes += UnsafeRawPointer(a + i).loadUnaligned(as: Lanes.self); i += 8 }
    var total = lanes.sum()
    while i < count { total += a[i]; i += 1 }
    return total
}

/// y += α·x
@inline(__always) func addScaled(_ alpha: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, _ count: Int) {
    let a = Lanes(repeating: alpha)
    var i = 0
    while i + 8 <= count {
        let updated = UnsafeRawPointer(y + i).loadUnaligned(as: Lanes.self).plusProduct(a, UnsafeRawPointer(x + i).loadUnaligned(as: Lanes.self))
        UnsafeMutableRawPointer(y + i).storeBytes(of: updated, as: Lanes.self)
        i += 8
    }
    while i < count { y[i] = y[i].plusProduct(alpha, x[i]); i += 1 }
}
