import Foundation

/// Sizes checked before they are allocated: a buffer that cannot fit is an error that names
/// the setting, not a crash an hour in.
public enum MemoryBudget {
    /// This machine's physical memory in bytes.
    public static var physicalBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// Throws `TrainingError.tooLarge` when `count` items of `bytesEach` bytes would not fit in
    /// memory (or the product overflows); `what` names the setting, as in "buffer_size=1e12".
    public static func check(_ what: @autoclosure () -> String, count: Int, bytesEach: Int) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: bytesEach)
        if overflow || bytes < 0 || bytes > physicalBytes {
            let needed = overflow ? "more than \(format(Double(Int.max)))" : format(Double(bytes))
            throw TrainingError.tooLarge("\(what()) needs \(needed); this machine has \(format(Double(physicalBytes)))")
        }
    }

    /// The product of sizes, or nil when it overflows.
    public static func product(_ factors: Int...) -> Int? {
        var result = 1
        for factor in factors {
            let (next, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = next
        }
        return result
    }

    /// Networks of the hidden `layers` between `inputs` and `outputs`: `copies` sets of weights
    /// and biases (with gradients and optimiser moments, 4 floats a parameter each), and the
    /// activations of `batch` rows through them (forward and backward).
    public static func checkNetworks(layers: [Int], inputs: Int, outputs: Int, copies: Int, batch: Int) throws {
        let sizes = [inputs] + layers + [outputs]
        var parameters = 0, activations = 0
        for (fanIn, fanOut) in zip(sizes, sizes.dropFirst()) {
            guard let layer = product(fanIn + 1, fanOut), case (let sum, false) = parameters.addingReportingOverflow(layer) else {
                throw TrainingError.tooLarge("net_arch=\(layers.map(String.init).joined(separator: ",")) has too many parameters to count")
            }
            parameters = sum
            activations += fanOut
        }
        try check("net_arch=\(layers.map(String.init).joined(separator: ","))", count: parameters, bytesEach: 4 * copies * MemoryLayout<Float>.size)
        try check("a batch of \(batch) through net_arch=\(layers.map(String.init).joined(separator: ","))",
                  count: product(batch, activations) ?? .max, bytesEach: 3 * MemoryLayout<Float>.size)
    }

    public static func format(_ bytes: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var value = bytes, unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return String(format: unit == 0 ? "%.0f %@" : "%.1f %@", value, units[unit])
    }
}
