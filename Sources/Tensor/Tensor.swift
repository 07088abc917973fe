@_exported import Random
import Foundation

// The tensor: a Float32, contiguous, row-major N-d array with value semantics.
//
// Storage is shared between copies until one of them writes (copy-on-write), so passing
// tensors around never copies data. A tensor that takes part in automatic differentiation
// also carries a `GradNode` (see Autograd.swift); all copies of it share that node.

/// A flat Float32 buffer. Tensors share it until one writes (copy-on-write). The elements
/// live in the same heap block as the object (tail allocation): one malloc per tensor.
final class TensorStorage: ManagedBuffer<Int, Float> {
    static func make(uninitializedCount count: Int) -> TensorStorage {
        let buffer = TensorStorage.create(minimumCapacity: Swift.max(count, 1)) { _ in count }
        return unsafeDowncast(buffer, to: TensorStorage.self)
    }

    static func allocate(repeating value: Float, count: Int) -> TensorStorage {
        let storage = allocate(count: count)
        storage.base.initialize(repeating: value, count: count)
        return storage
    }

    var count: Int { header }

    /// A buffer from the thread's pool if one is in scope (see TensorPool.swift), else the heap.
    static func allocate(count: Int) -> TensorStorage {
        TensorPool.current?.storage(count: count) ?? make(uninitializedCount: count)
    }

    /// The elements; valid while this storage is alive (its tensor holds it).
    var base: UnsafeMutablePointer<Float> { withUnsafeMutablePointerToElements { $0 } }

    /// A private copy for writing (always from the heap: a pooled copy would be shared with
    /// the pool again, and the next write would copy again).
    func copy() -> TensorStorage {
        let result = TensorStorage.make(uninitializedCount: count)
        result.base.update(from: base, count: count)
        return result
    }
}

public struct Tensor {
    /// Extent of each axis; `[]` for a scalar.
    public let shape: [Int]
    var storage: TensorStorage
    var node: GradNode?

    init(shape: [Int], storage: TensorStorage, node: GradNode? = nil) {
        precondition(shape.reduce(1, *) == storage.count, "shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// A tensor whose elements are not yet written; kernels fill it.
    init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage.allocate(count: shape.reduce(1, *)))
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// Row-major strides, in elements.
    public var strides: [Int] { Tensor.contiguousStrides(shape) }

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Resolves a possibly negative axis (−1 is the last) to `0..<rank`.
    public func normalizedAxis(_ axis: Int) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "axis \(axis) out of range for shape \(shape)")
        return resolved
    }
}

// MARK: - Creation

extension Tensor {
    public init(_ scalars: [Float], shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
        precondition(scalars.count == shape.reduce(1, *),
                     "\(scalars.count) scalars cannot fill shape \(shape)")
        let storage = TensorStorage.allocate(count: scalars.count)
        scalars.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: scalars.count) }
        self.init(shape: shape, storage: storage)
    }

    /// A rank-1 tensor.
    public init(_ scalars: [Float]) { self.init(scalars, shape: [scalars.count]) }

    /// A rank-0 (scalar) tensor.
    public init(_ scalar: Float) {
        let storage = TensorStorage.allocate(count: 1)
        storage.base[0] = scalar
        self.init(shape: [], storage: storage)
    }

    /// A rank-2 tensor from rows of equal length.
    public init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "rows of unequal length")
        self.init(rows.flatMap { $0 }, shape: [rows.count, columns])
    }

    public static func full(_ value: Float, shape: [Int]) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage.allocate(repeating: value, count: shape.reduce(1, *)))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { full(0, shape: shape) }
    public static func ones(_ shape: [Int]) -> Tensor { full(1, shape: shape) }
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// `[start, start + step, …)` up to but excluding `end`, as NumPy's `arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange step must not be zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step })
    }

    /// Uniform samples in `[low, high)`.
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1,
                               using generator: inout RandomGenerator) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let values = result.storage.base  // a fresh buffer: no copy-on-write check needed
        for i in 0..<result.count { values[i] = low + (high - low) * generator.nextUniform() }
        return result
    }

    /// Normal samples with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                              using generator: inout RandomGenerator) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let values = result.storage.base
        for i in 0..<result.count { values[i] = mean + standardDeviation * generator.nextNormal() }
        return result
    }
}

// MARK: - Element access

extension Tensor {
    /// All elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// The single element of a tensor with one element.
    public var item: Float {
        precondition(count == 1, "item needs exactly one element, shape is \(shape)")
        return storage.base[0]
    }

    public subscript(indices: Int...) -> Float {
        get { storage.base[flatIndex(indices)] }
        set {
            let index = flatIndex(indices)
            withUnsafeMutableBufferPointer { $0[index] = newValue }
        }
    }

    func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == rank, "\(indices.count) indices for rank \(rank)")
        var flat = 0
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis], "index \(index) out of range on axis \(axis)")
            flat = flat * shape[axis] + index
        }
        return flat
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: count))
    }

    /// Writes in place, copying the storage first if another tensor shares it. The gradient
    /// node is kept: this is how optimisers update parameters.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }

    /// Whether two tensors share one buffer (for tests of copy-on-write).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(16).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 16 ? ", …" : "")])"
    }
}
