#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Threads

// A second thread for work that is independent by construction, which the core runs side by
// side on machines with two cores: the independent pieces of one backward pass
// (ParallelBackward.swift) and the second of two computations that share nothing
// (`evaluateTogether`: an actor's and a critic's forward pass, a target network's and an online
// one's). Algorithms state what is independent; where it runs is the core's business, and the
// numbers are the same whether it runs beside or after.

/// A second thread the core may give independent work to; bind one to the calling thread with
/// `withHelperThread` (the training loop does, on machines with more than one core).
public final class HelperThread: @unchecked Sendable {
    let workers = WorkerPool(workers: 1)
    /// The helper thread's own buffers, so that its work allocates nothing in a steady state.
    let pool = TensorPool()
    /// Whether the helper is running work of this thread's: work nested in it (the twin critics
    /// inside one side of an `evaluateTogether`) then runs in line. Read and written by the
    /// thread the helper is bound to only.
    private var isBusy = false

    public init() { pool.servesHelper = true }

    /// The helper bound to the calling thread, if it is free.
    static var current: HelperThread? {
        guard let pointer = pthread_getspecific(boundHelperKey) else { return nil }
        let helper = Unmanaged<HelperThread>.fromOpaque(pointer).takeUnretainedValue()
        return helper.isBusy ? nil : helper
    }

    /// Runs `job(0)` here and `job(1)` on the helper thread, the helper marked busy meanwhile.
    func run(_ job: @escaping @Sendable (Int) -> Void) {
        isBusy = true
        defer { isBusy = false }
        workers.run(job)
    }
}

private let boundHelperKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "cannot create the helper thread's key")
    return key
}()

/// Runs `body` with `helper` available to the core on this thread.
public func withHelperThread<Result>(_ helper: HelperThread, _ body: () throws -> Result) rethrows -> Result {
    let previous = pthread_getspecific(boundHelperKey)
    pthread_setspecific(boundHelperKey, Unmanaged.passUnretained(helper).toOpaque())
    defer { pthread_setspecific(boundHelperKey, previous) }
    return try withExtendedLifetime(helper) { try body() }
}

/// Both results of two computations that share nothing mutable (two networks' forward passes on
/// their own inputs). With a helper thread bound the second runs on it, at the same time as the
/// first; without, after it. The results, graph included, are the same either way.
public func evaluateTogether<First, Second>(_ first: () -> First, _ second: () -> Second) -> (First, Second) {
    guard let helper = HelperThread.current else { return (first(), second()) }
    let recording = GradMode.isEnabled
    let results = UnsafeMutablePointer<(First?, Second?)>.allocate(capacity: 1)
    results.initialize(to: (nil, nil))
    defer { results.deinitialize(count: 1); results.deallocate() }
    withoutActuallyEscaping(first) { first in
        withoutActuallyEscaping(second) { second in
            let work = UncheckedSendable((first, second, results))
            helper.run { part in
                let (first, second, results) = work.value
                if part == 0 { results.pointee.0 = first(); return }
                // The helper thread has its own buffers and, not being in this task, its own grad mode.
                withTensorPool(helper.pool) {
                    results.pointee.1 = recording ? second() : withoutGrad(second)
                }
            }
        }
    }
    return (results.pointee.0!, results.pointee.1!)
}

/// Runs two pieces of work that touch disjoint memory (the two halves of a product's rows): the
/// second on the helper thread at the same time as the first when a helper is bound and free,
/// else one after the other. No tensors are made, so neither needs a pool.
func sideBySide(_ first: () -> Void, _ second: () -> Void) {
    guard let helper = HelperThread.current else { first(); second(); return }
    withoutActuallyEscaping(first) { first in
        withoutActuallyEscaping(second) { second in
            let work = UncheckedSendable((first, second))
            helper.run { part in part == 0 ? work.value.0() : work.value.1() }
        }
    }
}

/// Work that crosses to the helper thread touching nothing the caller touches meanwhile.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
