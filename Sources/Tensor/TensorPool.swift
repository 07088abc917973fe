#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Recycled memory for training loops, so a steady-state step allocates nothing.
//
// A training step builds the same tensors and graph nodes every time and drops them all at
// its end. Inside `withTensorPool`, tensor buffers and graph nodes come from a pool that keeps
// every one it hands out; one is handed out again once the pool holds the only reference to
// it (Swift's reference count says so), so nothing is ever reused while a tensor can still
// see it. Outside a pool scope, or when a pool is full, tensors use the heap as before.
//
// The scope is explicit, like the no-grad scope, and bound to the calling thread: the body is
// synchronous, so everything it runs (but threads it starts itself) runs on that thread. That
// makes the pool single-threaded by construction — no lock — and finding it a thread-specific
// read (a few ns; a task-local read costs 20–30 ns, and a step allocates a few dozen times).
// Tensors from a pool may still travel to and die on other threads: only counts change there.

/// Buffers and graph nodes kept for reuse; bind one with `withTensorPool`.
public final class TensorPool {
    /// At most this many buffers of one size are kept (beyond it, sizes come from the heap).
    public let buffersPerSize: Int
    private var buckets: [Bucket<TensorStorage>] = []  // by element count; a handful of sizes
    private var nodes = Bucket<GradNode>(count: 0)
    private var shapes: [[Int]] = []
    private var traversal: GraphTraversal?
    private var heldElements = 0
    /// A helper thread's pool: nodes recorded from it were made on the helper (ParallelBackward.swift).
    var servesHelper = false

    public init(buffersPerSize: Int = 256) {
        precondition(buffersPerSize > 0, "a pool must keep at least one buffer per size")
        self.buffersPerSize = buffersPerSize
    }

    /// The pool bound to the calling thread by `withTensorPool`, if any.
    public static var current: TensorPool? {
        guard let pointer = pthread_getspecific(boundPoolKey) else { return nil }
        return Unmanaged<TensorPool>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// Buffers and nodes held, and the Float elements in those buffers (for reports).
    public var statistics: (buffers: Int, nodes: Int, elements: Int) {
        (buckets.reduce(0) { $0 + $1.items.count }, nodes.items.count, heldElements)
    }

    /// Forgets everything held; tensors still in use keep their buffers.
    public func removeAll() {
        buckets = []
        nodes = Bucket(count: 0)
        shapes = []
        traversal = nil
        heldElements = 0
    }

    func storage(count: Int) -> TensorStorage {
        let bucket: Bucket<TensorStorage>
        if let known = buckets.first(where: { $0.count == count }) {
            if let reused = known.takeUnused() { return reused }
            bucket = known
        } else {
            bucket = Bucket(count: count)
            buckets.append(bucket)
        }
        let fresh = TensorStorage.make(uninitializedCount: count)
        if bucket.keep(fresh, limit: buffersPerSize) { heldElements += count }
        return fresh
    }

    func node() -> GradNode {
        if let reused = nodes.takeUnused() { return reused }
        let fresh = GradNode()
        fresh.madeOnHelper = servesHelper
        _ = nodes.keep(fresh, limit: buffersPerSize * 16)
        return fresh
    }

    func takeTraversal() -> GraphTraversal? {
        defer { traversal = nil }
        return traversal
    }

    func giveBack(_ finished: GraphTraversal) { traversal = finished }

    /// `[rows, columns]` as an array shared with earlier requests (a new array is an allocation).
    func shape(_ rows: Int, _ columns: Int) -> [Int] {
        if let known = shapes.first(where: { $0.count == 2 && $0[0] == rows && $0[1] == columns }) { return known }
        let fresh = [rows, columns]
        if shapes.count < 64 { shapes.append(fresh) }
        return fresh
    }

    /// The thread this pool is bound to, while it is (one thread at a time).
    fileprivate var owner: pthread_t?
}

/// Objects of one kind, with a rotating cursor so that a free one is usually found at once.
/// A class, so that looking a bucket up hands out the bucket itself, not a copy of its array.
private final class Bucket<Item: AnyObject> {
    let count: Int
    var items: [Item] = []
    var cursor = 0

    init(count: Int) { self.count = count }

    /// An item only the bucket references, if there is one.
    func takeUnused() -> Item? {
        let n = items.count
        for step in 0..<n {
            let index = (cursor + step) % n
            if isKnownUniquelyReferenced(&items[index]) {
                cursor = (index + 1) % n
                return items[index]
            }
        }
        return nil
    }

    func keep(_ item: Item, limit: Int) -> Bool {
        guard items.count < limit else { return false }
        items.append(item)
        return true
    }
}

/// The thread-specific slot that holds the bound pool (an immutable handle, made once).
private let boundPoolKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "cannot create the tensor pool's thread key")
    return key
}()

/// Runs `body` with tensor buffers and graph nodes drawn from `pool` (a new one by default),
/// the way a training loop wants them: after the first step, each step reuses the last one's.
/// The pool serves the calling thread only (threads `body` starts use the heap); it may be
/// bound again later, on any thread, but not on two at once.
public func withTensorPool<Result>(_ pool: TensorPool = TensorPool(),
                                   _ body: () throws -> Result) rethrows -> Result {
    let thread = pthread_self()
    if let owner = pool.owner {
        precondition(pthread_equal(owner, thread) != 0, "a tensor pool is in use on another thread")
    }
    let previousOwner = pool.owner
    let previous = pthread_getspecific(boundPoolKey)
    pool.owner = thread
    pthread_setspecific(boundPoolKey, Unmanaged.passUnretained(pool).toOpaque())
    defer {
        pthread_setspecific(boundPoolKey, previous)
        pool.owner = previousOwner
    }
    return try withExtendedLifetime(pool) { try body() }
}
