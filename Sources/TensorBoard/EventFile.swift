import Foundation

/// TensorFlow's record framing, in which event files store one `Event` per record:
///
///     uint64 length | uint32 masked_crc32c(length) | length bytes of data | uint32 masked_crc32c(data)
///
/// all little-endian.
public enum EventRecords {
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        let length = littleEndianBytes(UInt64(data.count))
        record += length
        record += littleEndianBytes(CRC32C.masked(length))
        record += data
        record += littleEndianBytes(CRC32C.masked(data))
        return record
    }

    /// The records of a file, each checked against its CRCs. A record cut short at the end of
    /// the file (a writer that was killed mid-write) ends the list, as TensorBoard's reader
    /// treats it; a wrong CRC anywhere is an error.
    public static func records(in bytes: [UInt8]) throws -> [ArraySlice<UInt8>] {
        var records: [ArraySlice<UInt8>] = [], offset = 0
        while let record = try record(in: bytes, at: offset) {
            records.append(record)
            offset = record.endIndex + 4
        }
        return records
    }

    /// The data of the record at `offset`; nil at the end of the file or in a record cut short.
    private static func record(in bytes: [UInt8], at offset: Int) throws -> ArraySlice<UInt8>? {
        guard bytes.count - offset >= 12 else { return nil }
        let lengthBytes = bytes[offset..<(offset + 8)]
        guard read32(bytes, at: offset + 8) == CRC32C.masked(lengthBytes) else {
            throw EventFileError("event record at byte \(offset): the length's CRC does not match")
        }
        let length = lengthBytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let room = bytes.count - offset - 16
        guard room >= 0, length <= UInt64(room) else { return nil }
        let start = offset + 12, end = start + Int(length)
        guard read32(bytes, at: end) == CRC32C.masked(bytes[start..<end]) else {
            throw EventFileError("event record at byte \(offset): the data's CRC does not match")
        }
        return bytes[start..<end]
    }

    /// The records before the first corrupt or cut-short one (where TensorBoard's reader stops).
    public static func validPrefix(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var records: [ArraySlice<UInt8>] = [], offset = 0
        while let record = try? record(in: bytes, at: offset) {
            records.append(record)
            offset = record.endIndex + 4
        }
        return records
    }

    /// The events of a file (kinds other than file versions and summaries are skipped).
    public static func events(in bytes: [UInt8]) throws -> [Event] {
        try records(in: bytes).compactMap { try Event(serialized: $0) }
    }

    private static func littleEndianBytes<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    private static func read32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}

/// Appends events to one TensorBoard event file, as `SummaryWriter` does: the file is named
/// `events.out.tfevents.TIME.HOST` so `tensorboard --logdir` finds it, and starts with the
/// file-version event. Records are written whole with one `write`, so a reader (or a crash)
/// sees complete records or a cut-short last one, which readers skip.
public final class EventFileWriter {
    public let url: URL
    private let handle: FileHandle

    /// Opens `url` to append to it (creating it with its file-version event if missing).
    public init(url: URL, wallTime: Double = Date().timeIntervalSince1970) throws {
        self.url = url
        let isNew = !FileManager.default.fileExists(atPath: url.path)
        if isNew { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        if isNew { try write(Event(wallTime: wallTime, step: 0, content: .fileVersion("brain.Event:2"))) }
    }

    /// A new file in `folder`, named as TensorBoard's writers name theirs.
    public convenience init(folder: URL, wallTime: Double = Date().timeIntervalSince1970) throws {
        let host = ProcessInfo.processInfo.hostName.isEmpty ? "localhost" : ProcessInfo.processInfo.hostName
        let name = "events.out.tfevents.\(String(format: "%010d", Int(wallTime))).\(host)"
        try self.init(url: folder.appendingPathComponent(name), wallTime: wallTime)
    }

    /// The event files in `folder`, oldest name first.
    public static func files(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix("events.out.tfevents.") && !$0.hasSuffix(".tmp") }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    public func write(_ event: Event) throws {
        try handle.write(contentsOf: Data(EventRecords.frame(event.serialized)))
    }

    /// `add_scalar(tag, value, step)`.
    public func addScalar(_ tag: String, _ value: Double, step: Int, wallTime: Double = Date().timeIntervalSince1970) throws {
        try write(Event(wallTime: wallTime, step: Int64(step), content: .summary([SummaryValue(tag: tag, value: .scalar(Float(value)))])))
    }

    /// `add_text(tag, text, step)`: shown in TensorBoard's Text tab under `TAG/text_summary`.
    public func addText(_ tag: String, _ text: String, step: Int = 0, wallTime: Double = Date().timeIntervalSince1970) throws {
        try write(Event(wallTime: wallTime, step: Int64(step),
                        content: .summary([SummaryValue(tag: tag + "/text_summary", value: .text(text))])))
    }

    public func close() throws { try handle.close() }
}
