import Foundation

// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
// header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
// Readers elsewhere (Python's `safetensors`, PyTorch, NumPy) load our files and we load theirs.
// Every field is validated before use: a damaged file is an error, never a crash.

public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case truncated(String)
    case malformedHeader(String)
    case unsupportedDType(tensor: String, dtype: String)
    case inconsistentTensor(tensor: String, reason: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read checkpoint \(path): \(reason)"
        case .truncated(let detail): "truncated safetensors file: \(detail)"
        case .malformedHeader(let detail): "malformed safetensors header: \(detail)"
        case .unsupportedDType(let tensor, let dtype): "tensor '\(tensor)' has dtype \(dtype); only F32 is supported"
        case .inconsistentTensor(let tensor, let reason): "tensor '\(tensor)': \(reason)"
        case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}

/// Named Float32 tensors in file order, plus string metadata.
public struct SafeTensors {
    public var tensors: [(name: String, tensor: Tensor)]
    public var metadata: [String: String]

    public init(tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    public subscript(name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }

    /// Largest header the reference implementation accepts (100 MB).
    static let maximumHeaderSize = 100_000_000

    // MARK: Encoding

    public func encoded() -> Data {
        let quote: (String) -> String = { string in
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            return String(decoding: (try? encoder.encode(string)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(quote($0)):\(quote(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, tensor) in tensors {
            let end = offset + tensor.count * 4
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(quote(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }  // pad so the data is 8-byte aligned

        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for (_, tensor) in tensors {
            tensor.withUnsafeBufferPointer { buffer in
                for value in buffer {
                    withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) }
                }
            }
        }
        return data
    }

    /// Writes atomically: a crash leaves either the old file or the new one, never half of one.
    public func write(to url: URL) throws {
        try writeAtomically(encoded(), to: url)
    }

    // MARK: Decoding

    public static func read(from url: URL) throws -> SafeTensors {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
        return try decode(data)
    }

    /// The metadata of a file, from its header alone (the tensors are not read).
    public static func readMetadata(from url: URL) throws -> [String: String] {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
        defer { try? handle.close() }
        do {
            let length = try headerLength(of: [UInt8](try handle.read(upToCount: 8) ?? Data()), fileSize: nil)
            let header = try handle.read(upToCount: length) ?? Data()
            guard header.count == length else { throw SafeTensorsError.truncated("header declares \(length) bytes, file has \(header.count)") }
            return try parseHeader(header).metadata
        } catch let error as SafeTensorsError {
            throw error
        } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// The header length the first 8 bytes declare, checked against the file's size if known.
    private static func headerLength(of prefix: [UInt8], fileSize: Int?) throws -> Int {
        guard prefix.count >= 8 else { throw SafeTensorsError.truncated("\(prefix.count) bytes, the header length alone needs 8") }
        let length = prefix[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(maximumHeaderSize) else {
            throw SafeTensorsError.malformedHeader("declared header length \(length) exceeds \(maximumHeaderSize) bytes")
        }
        if let fileSize, 8 + Int(length) > fileSize {
            throw SafeTensorsError.truncated("header declares \(length) bytes, file has \(fileSize - 8) after the length")
        }
        return Int(length)
    }

    private static func parseHeader(_ headerBytes: Data) throws -> Header {
        guard headerBytes.first == UInt8(ascii: "{") else { throw SafeTensorsError.malformedHeader("header does not start with '{'") }
        do {
            return try JSONDecoder().decode(Header.self, from: headerBytes)
        } catch let error as SafeTensorsError {
            throw error
        } catch {
            throw SafeTensorsError.malformedHeader("not valid JSON of the expected layout (\(error))")
        }
    }

    public static func decode(_ data: Data) throws -> SafeTensors {
        let bytes = [UInt8](data)
        let length = try headerLength(of: Array(bytes.prefix(8)), fileSize: bytes.count)
        let header = try parseHeader(Data(bytes[8..<(8 + length)]))

        let dataStart = 8 + length
        let dataLength = bytes.count - dataStart
        var expectedStart = 0
        var tensors: [(name: String, tensor: Tensor)] = []
        // By (begin, end): an empty tensor shares its begin with the next one and must come first,
        // whatever order the header's dictionary hands them over in.
        for (name, info) in header.entries.sorted(by: { ($0.1.dataOffsets.first ?? 0, $0.1.dataOffsets.last ?? 0)
                                                        < ($1.1.dataOffsets.first ?? 0, $1.1.dataOffsets.last ?? 0) }) {
            guard info.dtype == "F32" else { throw SafeTensorsError.unsupportedDType(tensor: name, dtype: info.dtype) }
            // The element count must not overflow, and must fit in the data we have.
            let elementCount = info.shape.reduce(Optional(1)) { product, extent in
                guard let product, extent >= 0 else { return nil }
                let (result, overflow) = product.multipliedReportingOverflow(by: extent)
                return overflow || result > dataLength ? nil : result
            }
            guard let elementCount else {
                throw SafeTensorsError.inconsistentTensor(tensor: name, reason: "shape \(info.shape) is invalid or larger than the file")
            }
            guard info.dataOffsets.count == 2 else {
                throw SafeTensorsError.inconsistentTensor(tensor: name, reason: "data_offsets must hold [begin, end]")
            }
            let (begin, end) = (info.dataOffsets[0], info.dataOffsets[1])
            guard begin == expectedStart, end >= begin, end - begin == elementCount * 4 else {
                throw SafeTensorsError.inconsistentTensor(
                    tensor: name, reason: "byte range [\(begin), \(end)) does not fit shape \(info.shape) right after the previous tensor")
            }
            guard end <= dataLength else {
                throw SafeTensorsError.truncated("tensor '\(name)' ends at byte \(end) of the data, which has only \(dataLength)")
            }
            var scalars = [Float](repeating: 0, count: elementCount)
            for i in 0..<elementCount {
                let at = dataStart + begin + 4 * i
                let pattern = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
                scalars[i] = Float(bitPattern: pattern)
            }
            tensors.append((name, Tensor(scalars, shape: info.shape)))
            expectedStart = end
        }
        guard expectedStart == dataLength else {
            throw SafeTensorsError.malformedHeader("tensors cover \(expectedStart) bytes but the data holds \(dataLength)")
        }
        return SafeTensors(tensors: tensors, metadata: header.metadata)
    }

    /// The JSON header: "__metadata__" maps strings to strings; every other key is a tensor.
    private struct Header: Decodable {
        struct Info: Decodable {
            let dtype: String
            let shape: [Int]
            let dataOffsets: [Int]
            enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
        }
        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }
        var entries: [(String, Info)] = []
        var metadata: [String: String] = [:]

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try container.decode([String: String].self, forKey: key)
                } else {
                    entries.append((key.stringValue, try container.decode(Info.self, forKey: key)))
                }
            }
        }
    }
}

/// Writes `data` to a temporary file beside `url`, flushes it to disk, then renames it over
/// `url`, so readers see the old file or the whole new one.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw SafeTensorsError.unwritable(path: url.path, reason: "cannot create \(temporary.path)")
        }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, url.path) == 0 else {
            throw SafeTensorsError.unwritable(path: url.path, reason: String(cString: strerror(errno)))
        }
    } catch let error as SafeTensorsError {
        try? FileManager.default.removeItem(at: temporary)
        throw error
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw SafeTensorsError.unwritable(path: url.path, reason: (error as NSError).localizedDescription)
    }
}

// MARK: - Module checkpoints

public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case missingParameter(String)
    case unexpectedTensor(String)
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    case nonFinite(String)
    case invalidValue(name: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .nonFinite(let name): "checkpoint tensor '\(name)' holds a value that is not finite (NaN or infinity)"
        case .invalidValue(let name, let value, let expected): "checkpoint value '\(name)' = \(value) is invalid: expected \(expected)"
        case .missingParameter(let name): "checkpoint has no tensor for parameter '\(name)'"
        case .unexpectedTensor(let name): "checkpoint tensor '\(name)' matches no parameter of the model"
        case .shapeMismatch(let name, let expected, let found): "parameter '\(name)' has shape \(expected) but the checkpoint holds \(found)"
        }
    }
}

extension Module {
    /// The parameters as safetensors, keyed by their names.
    public func stateDictionary(metadata: [String: String] = [:]) -> SafeTensors {
        SafeTensors(tensors: namedParameters.map { ($0.name, $0.parameter.value.detached()) }, metadata: metadata)
    }

    /// Loads every parameter by name; all or nothing (nothing changes if anything is off).
    public func load(_ state: SafeTensors) throws {
        let byName = Dictionary(state.tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        let parameters = namedParameters
        let known = Set(parameters.map(\.name))
        if let stray = state.tensors.first(where: { !known.contains($0.name) }) {
            throw CheckpointError.unexpectedTensor(stray.name)
        }
        for (name, parameter) in parameters {
            guard let tensor = byName[name] else { throw CheckpointError.missingParameter(name) }
            guard tensor.shape == parameter.shape else {
                throw CheckpointError.shapeMismatch(name: name, expected: parameter.shape, found: tensor.shape)
            }
            guard tensor.scalars.allSatisfy(\.isFinite) else { throw CheckpointError.nonFinite(name) }
        }
        for (name, parameter) in parameters { parameter.assign(byName[name]!) }
    }

    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try stateDictionary(metadata: metadata).write(to: url)
    }

    /// Loads parameters from a safetensors file and returns its metadata.
    @discardableResult
    public func load(from url: URL) throws -> [String: String] {
        let state = try SafeTensors.read(from: url)
        try load(state)
        return state.metadata
    }
}
