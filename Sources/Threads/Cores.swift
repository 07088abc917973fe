import CFloatMode
import Foundation

/// How many cores this process may use: the CPUs its affinity mask allows (taskset, a scheduler's
/// cpuset), capped by `ATHANOR_THREADS` when set. The training loop starts its helper thread only when
/// this is more than one, so a sweep's workers (`ATHANOR_THREADS=1` each) do not oversubscribe the
/// cores they share.
public enum Cores {
    public static let usable: Int = {
        var count = ProcessInfo.processInfo.activeProcessorCount
        let allowed = Int(athanor_allowed_cpus())
        if allowed > 0 { count = min(count, allowed) }
        if let text = ProcessInfo.processInfo.environment["ATHANOR_THREADS"], let limit = Int(text), limit >= 1 {
            count = min(count, limit)
        }
        return max(count, 1)
    }()
}
