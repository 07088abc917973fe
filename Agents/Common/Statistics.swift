// Small numeric helpers the deep agents share.

/// Rows `indices` of a row-major buffer of the given width, concatenated.
func gatherRows(_ source: [Float], width: Int, _ indices: [Int]) -> [Float] {
    [Float](unsafeUninitializedCapacity: indices.count * width) { out, count in
        source.withUnsafeBufferPointer { src in
            for (k, row) in indices.enumerated() {
                (out.baseAddress! + k * width).update(from: src.baseAddress! + row * width, count: width)
            }
        }
        count = indices.count * width
    }
}

/// (x − mean) / (std + 1e-8) with the unbiased std, as SB3 normalises advantages per minibatch.
func standardised(_ values: [Float]) -> [Float] {
    let n = Float(values.count)
    let mean = values.reduce(0, +) / n
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Swift.max(n - 1, 1)
    let scale = 1 / (variance.squareRoot() + 1e-8)
    return values.map { ($0 - mean) * scale }
}

func mean(_ values: [Float]) -> Double {
    values.isEmpty ? 0 : Double(values.reduce(0, +)) / Double(values.count)
}

/// 1 − Var[returns − values] / Var[returns]: how much of the return the critic explains.
func explainedVariance(_ predicted: [Float], _ target: [Float]) -> Double {
    func variance(_ x: [Double]) -> Double {
        let m = x.reduce(0, +) / Double(x.count)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)
    }
    let y = target.map(Double.init)
    let v = variance(y)
    guard v > 0 else { return .nan }
    return 1 - variance(zip(y, predicted).map { $0 - Double($1) }) / v
}
