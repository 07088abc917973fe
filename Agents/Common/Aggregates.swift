import RL
import Tensor

// Aggregate scores over runs as rliable reports them (Agarwal et al., 2021, "Deep
// Reinforcement Learning at the Edge of the Statistical Precipice"): the interquartile mean
// and a percentile-bootstrap confidence interval.

/// Mean of the middle half: SciPy's `trim_mean(scores, 0.25)`, cutting ⌊n/4⌋ from each end.
public func interquartileMean(_ scores: [Double]) -> Double {
    guard !scores.isEmpty else { return .nan }
    let sorted = scores.sorted(), cut = scores.count / 4
    let middle = sorted[cut..<(sorted.count - cut)]
    return middle.reduce(0, +) / Double(middle.count)
}

/// A percentile bootstrap interval of `statistic`, resampling within each stratum (task) with
/// replacement, as rliable's stratified bootstrap; `level` 0.95 gives the 2.5 and 97.5 percentiles.
public func bootstrapInterval(strata: [[Double]], resamples: Int = 2000, level: Double = 0.95, seed: UInt64 = 0,
                              statistic: ([Double]) -> Double = interquartileMean) -> (low: Double, high: Double) {
    let strata = strata.filter { !$0.isEmpty }
    guard !strata.isEmpty else { return (.nan, .nan) }
    var generator = RandomGenerator(seed: seed)
    var values: [Double] = []
    values.reserveCapacity(resamples)
    for _ in 0..<resamples {
        var sample: [Double] = []
        for stratum in strata {
            for _ in stratum.indices { sample.append(stratum[generator.nextInt(below: stratum.count)]) }
        }
        values.append(statistic(sample))
    }
    values.sort()
    func percentile(_ p: Double) -> Double {
        let position = p * Double(values.count - 1)
        let lower = Int(position), upper = Swift.min(lower + 1, values.count - 1)
        return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
    }
    return (percentile((1 - level) / 2), percentile(1 - (1 - level) / 2))
}
