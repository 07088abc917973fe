import Drawing

/// A bandit's arms as bars of their true values; a bandit agent's overlay adds its estimates,
/// upper confidence bounds and pull counts beside them.
public struct BanditScene: Scene, Equatable {
    public var trueValues: [Double]

    public init(trueValues: [Double]) { self.trueValues = trueValues }

    public var size: (width: Int, height: Int) { (Swift.max(320, trueValues.count * 48 + 40), 360) }

    public func draw(on c: inout Canvas, overlay: Overlay?) {
        var all = trueValues
        var estimates: [Double]? = nil, upper: [Double]? = nil, counts: [Int]? = nil
        if case .bandit(let e, let u, let n) = overlay { (estimates, upper, counts) = (e, u, n); all += e + (u ?? []) }
        let finite = all.filter(\.isFinite)
        let low = Swift.min(finite.min() ?? 0, 0), high = Swift.max(finite.max() ?? 1, 0)
        let span = Swift.max(high - low, 1e-9), top = 40.0, bottom = 320.0
        func y(_ v: Double) -> Double { bottom - (v - low) / span * (bottom - top) }
        c.line(from: (20, y(0)), to: (Double(c.width - 20), y(0)), thickness: 1, .grid)
        for (arm, value) in trueValues.enumerated() {
            let x = 30 + arm * 48
            c.fill(x: x, y: Int(Swift.min(y(value), y(0))), width: 16, height: Int(Swift.abs(y(value) - y(0))) + 1, .truth)
            if let estimates, arm < estimates.count {
                c.fill(x: x + 18, y: Int(Swift.min(y(estimates[arm]), y(0))), width: 16, height: Int(Swift.abs(y(estimates[arm]) - y(0))) + 1, .estimate)
                if let upper, arm < upper.count, upper[arm].isFinite {
                    c.line(from: (Double(x + 26), y(estimates[arm])), to: (Double(x + 26), y(upper[arm])), thickness: 2, .black)
                }
            }
            c.text(counts.map { arm < $0.count ? "\($0[arm])" : "" } ?? "\(arm)", x: x, y: 330, scale: 1, .black)
        }
    }
}
