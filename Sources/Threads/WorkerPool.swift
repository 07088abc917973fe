import Dispatch
import Foundation
import Synchronization
import CFloatMode

/// Threads that stay awake between jobs, so a job of ~100 µs can be split across cores.
///
/// A thread that has gone to sleep takes about as long to wake on these virtual machines as a
/// 4096-copy CartPole step takes to compute, so `DispatchQueue.concurrentPerform` gains nothing
/// there. These workers spin (with the CPU's pause hint) for a while after each job and only then sleep,
/// as OpenBLAS's threads do; back-to-back jobs therefore start at once. Spinning yields the core
/// now and then (`pause`), so a busy machine loses little to it. Not for use from two
/// threads at the same time.
public final class WorkerPool: @unchecked Sendable {
    /// State shared with the worker threads (they must not keep the pool itself alive).
    final class Shared: @unchecked Sendable {
        let generation = Atomic<Int>(0)
        let pending = Atomic<Int>(0)
        let stopping = Atomic<Bool>(false)
        /// Written before `generation` is bumped, read after it is seen: ordered by the atomics.
        var job: (@Sendable (Int) -> Void)?
        /// The caller's floating-point mode, which the workers take on for the job.
        var flushesSubnormals = false
        let sleeping: [Flag]
        init(workers: Int) { sleeping = (0..<workers).map { _ in Flag() } }
    }

    final class Flag: @unchecked Sendable {
        let asleep = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    public let workers: Int
    private let shared: Shared

    /// `workers` threads besides the caller's (so `workers + 1` chunks run at once).
    public init(workers: Int, spinsBeforeSleeping: Int = 200_000) {
        self.workers = workers
        shared = Shared(workers: workers)
        for index in 0..<workers {
            let shared = shared
            let thread = Thread { WorkerPool.work(shared, index: index, spins: spinsBeforeSleeping) }
            thread.start()
        }
    }

    deinit {
        shared.stopping.store(true, ordering: .sequentiallyConsistent)
        shared.generation.add(1, ordering: .sequentiallyConsistent)
        for flag in shared.sleeping where flag.asleep.exchange(false, ordering: .sequentiallyConsistent) { flag.wake.signal() }
    }

    /// Runs `job(0)` on the caller and `job(1)`…`job(workers)` on the workers; returns when all are done.
    public func run(_ job: @escaping @Sendable (Int) -> Void) {
        shared.job = job
        shared.flushesSubnormals = Subnormals.areFlushedToZero
        shared.pending.store(workers, ordering: .sequentiallyConsistent)
        shared.generation.add(1, ordering: .sequentiallyConsistent)
        for flag in shared.sleeping where flag.asleep.exchange(false, ordering: .sequentiallyConsistent) { flag.wake.signal() }
        job(0)
        var turn = 0
        while shared.pending.load(ordering: .acquiring) > 0 { Self.pause(turn); turn &+= 1 }
        shared.job = nil  // every worker is done with it: the job does not outlive the call
    }

    /// One turn of a wait loop: the CPU's pause hint, and every 64th turn the rest of the time
    /// slice to any other runnable thread. On a loaded machine (tests in parallel, several runs at
    /// once) the thread being waited for may be queued behind this one, and pure spinning delays it:
    /// a DQN run beside two others spent 73 % of its time in the pause hint before this.
    @inline(__always) static func pause(_ turn: Int) {
        if turn & 63 == 63 { sched_yield() } else { athanor_spin_pause() }
    }

    private static func work(_ shared: Shared, index: Int, spins: Int) {
        let flag = shared.sleeping[index]
        var seen = 0
        while true {
            var waited = 0
            while shared.generation.load(ordering: .acquiring) == seen {
                waited += 1
                if waited < spins { pause(waited); continue }
                // Going to sleep: announce it, then look once more so a job posted meanwhile is not missed.
                flag.asleep.store(true, ordering: .sequentiallyConsistent)
                if shared.generation.load(ordering: .sequentiallyConsistent) != seen {
                    if !flag.asleep.exchange(false, ordering: .sequentiallyConsistent) { flag.wake.wait() }  // consume its signal
                    break
                }
                flag.wake.wait()
                waited = 0
            }
            seen = shared.generation.load(ordering: .acquiring)
            if shared.stopping.load(ordering: .acquiring) { return }
            if Subnormals.areFlushedToZero != shared.flushesSubnormals { Subnormals.areFlushedToZero = shared.flushesSubnormals }
            shared.job?(index + 1)
            shared.pending.subtract(1, ordering: .releasing)
        }
    }
}
