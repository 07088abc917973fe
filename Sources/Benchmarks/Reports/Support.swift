import Foundation

/// A benchmark that cannot run or report, in one line.
public struct BenchmarkError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Monotonic time in nanoseconds.
func nanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// Runs `body` `warmup` times untimed, then `count` times timed one by one; returns the
/// sorted durations in microseconds (median and spread are read from them).
func timeEach(warmup: Int, count: Int, _ body: () -> Void) -> [Double] {
    for _ in 0..<warmup { body() }
    var samples = [Double](repeating: 0, count: count)
    for i in 0..<count {
        let start = nanoseconds()
        body()
        samples[i] = Double(nanoseconds() - start) / 1000
    }
    return samples.sorted()
}

extension Array where Element == Double {
    /// The mean, as the tables report it (0 for no values).
    public var mean: Double { reduce(0, +) / Double(Swift.max(count, 1)) }

    /// The population standard deviation (NumPy's default, ddof = 0), as the tables report it.
    public var standardDeviation: Double {
        let m = mean
        return (reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(Swift.max(count, 1))).squareRoot()
    }

    /// Median of sorted samples.
    var median: Double {
        isEmpty ? .nan : (count % 2 == 1 ? self[count / 2] : (self[count / 2 - 1] + self[count / 2]) / 2)
    }
}

/// Peak resident set size of this process, in MiB.
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
}
