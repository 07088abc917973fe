/// The little of protobuf's wire format that TensorBoard's event messages use: varints,
/// 64- and 32-bit fixed fields and length-delimited fields (strings, bytes, nested messages).
/// Written by hand: five small messages do not warrant generated code and a dependency.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, 0)
        varint(UInt64(bitPattern: value))
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func bytes<Payload: Collection<UInt8>>(_ field: Int, _ payload: Payload) {
        key(field, 2)
        varint(UInt64(payload.count))
        bytes += payload
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        build(&nested)
        bytes(field, nested.bytes)
    }
}

/// A malformed protobuf message or record file.
public struct EventFileError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Reads a message's fields in order. Unknown fields are skipped, as protobuf readers do.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)

        var bytes: ArraySlice<UInt8>? { if case .bytes(let bytes) = self { bytes } else { nil } }
        var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    }

    private let data: ArraySlice<UInt8>
    private var offset: Int

    init(_ data: ArraySlice<UInt8>) { (self.data, offset) = (data, data.startIndex) }

    private mutating func byte() throws -> UInt8 {
        guard offset < data.endIndex else { throw EventFileError("a protobuf message ends inside a field") }
        defer { offset += 1 }
        return data[offset]
    }

    private mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            let byte = try byte()
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte < 0x80 { return value }
        }
        throw EventFileError("a protobuf varint is longer than 10 bytes")
    }

    private mutating func fixed(_ count: Int) throws -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(try byte()) << UInt64(8 * index) }
        return value
    }

    /// The next field, or nil at the end of the message.
    mutating func next() throws -> (field: Int, value: Value)? {
        guard offset < data.endIndex else { return nil }
        let key = try varint()
        guard key >> 3 > 0, key >> 3 <= UInt64(Int32.max) else { throw EventFileError("a protobuf field number is out of range") }
        let field = Int(key >> 3)
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1: return (field, .fixed64(try fixed(8)))
        case 5: return (field, .fixed32(UInt32(try fixed(4))))
        case 2:
            let length = try varint()
            guard length <= UInt64(data.endIndex - offset) else { throw EventFileError("a protobuf field is longer than its message") }
            defer { offset += Int(length) }
            return (field, .bytes(data[offset..<(offset + Int(length))]))
        default: throw EventFileError("protobuf wire type \(key & 7) is not one TensorBoard's events use")
        }
    }
}
