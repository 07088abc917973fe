import Foundation
import RL

/// Hands work that touches disjoint objects to another thread. The caller promises the
/// disjointness; Swift cannot see it through the autograd graph's classes.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs `first` on this thread and `second` on the pool's worker at the same time (one after
/// the other without a pool). Results do not depend on which: the two share no mutable state.
func sideBySide(_ first: () -> Void, _ second: () -> Void, pool: WorkerPool?) {
    guard let pool else {
        first()
        second()
        return
    }
    withoutActuallyEscaping(first) { first in
        withoutActuallyEscaping(second) { second in
            let jobs = UncheckedSendable((first, second))
            pool.run { part in part == 0 ? jobs.value.0() : jobs.value.1() }
        }
    }
}

/// A worker for agents whose updates split in two, when the machine has a second core.
func makeSecondCore() -> WorkerPool? {
    ProcessInfo.processInfo.activeProcessorCount > 1 ? WorkerPool(workers: 1) : nil
}
