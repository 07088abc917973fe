/// TensorBoard's `Event` message (tensorflow/core/util/event.proto), with the two summaries a
/// training run writes: scalars (`Summary.Value.simple_value`, as `add_scalar`) and text (a
/// string tensor tagged for the text plugin, as `add_text`).
public struct Event: Equatable, Sendable {
    public enum Content: Equatable, Sendable {
        /// The first event of every file: "brain.Event:2".
        case fileVersion(String)
        case summary([SummaryValue])
    }

    /// Seconds since 1970.
    public var wallTime: Double
    public var step: Int64
    public var content: Content

    public init(wallTime: Double, step: Int64, content: Content) {
        (self.wallTime, self.step, self.content) = (wallTime, step, content)
    }
}

public struct SummaryValue: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case scalar(Float)
        case text(String)
    }

    public var tag: String
    public var value: Value

    public init(tag: String, value: Value) { (self.tag, self.value) = (tag, value) }
}

// Field numbers from event.proto, summary.proto, tensor.proto and tensor_shape.proto.
extension Event {
    /// The message's bytes, fields in number order and proto3's defaults left out, as
    /// protobuf's own serialiser writes them.
    public var serialized: [UInt8] {
        var writer = ProtobufWriter()
        if wallTime != 0 { writer.double(1, wallTime) }
        if step != 0 { writer.int64(2, step) }
        switch content {
        case .fileVersion(let version): writer.string(3, version)
        case .summary(let values):
            writer.message(5) { summary in
                for value in values { summary.message(1) { value.write(into: &$0) } }
            }
        }
        return writer.bytes
    }

    /// Reads an event; nil for the kinds a run does not write (graphs, session logs, …).
    public init?(serialized bytes: ArraySlice<UInt8>) throws {
        var reader = ProtobufReader(bytes)
        var wallTime = 0.0, step: Int64 = 0, content: Content?
        while let (field, value) = try reader.next() {
            switch (field, value) {
            case (1, .fixed64(let bits)): wallTime = Double(bitPattern: bits)
            case (2, .varint(let bits)): step = Int64(bitPattern: bits)
            case (3, .bytes): content = .fileVersion(value.string ?? "")
            case (5, .bytes(let summary)):
                var values: [SummaryValue] = []
                var summaryReader = ProtobufReader(summary)
                while let (field, value) = try summaryReader.next() {
                    if field == 1, let bytes = value.bytes, let parsed = try SummaryValue(serialized: bytes) { values.append(parsed) }
                }
                content = .summary(values)
            default: continue
            }
        }
        guard let content else { return nil }
        self.init(wallTime: wallTime, step: step, content: content)
    }
}

extension SummaryValue {
    /// The text plugin's name, in `SummaryMetadata.plugin_data`.
    static let textPlugin = "text"

    func write(into writer: inout ProtobufWriter) {
        writer.string(1, tag)
        switch value {
        case .scalar(let number): writer.float(2, number)
        case .text(let text):
            writer.message(8) { tensor in  // TensorProto
                tensor.int64(1, 7)  // dtype DT_STRING
                tensor.message(2) { shape in shape.message(2) { $0.int64(1, 1) } }  // shape [1]
                tensor.string(8, text)  // string_val
            }
            writer.message(9) { metadata in metadata.message(1) { $0.string(1, Self.textPlugin) } }
        }
    }

    init?(serialized bytes: ArraySlice<UInt8>) throws {
        var reader = ProtobufReader(bytes)
        var tag = "", value: Value?
        while let (field, fieldValue) = try reader.next() {
            switch (field, fieldValue) {
            case (1, .bytes): tag = fieldValue.string ?? ""
            case (2, .fixed32(let bits)): value = .scalar(Float(bitPattern: bits))
            case (8, .bytes(let tensor)):
                var tensorReader = ProtobufReader(tensor)
                while let (field, tensorValue) = try tensorReader.next() {
                    if field == 8 { value = .text(tensorValue.string ?? "") }
                }
            default: continue
            }
        }
        guard let value else { return nil }
        self.init(tag: tag, value: value)
    }
}
