import CZlib
import Foundation

/// One array of a `.npy` file, as numbers: its shape and its values in C order, converted to Double
/// (every integer and float type NumPy writes is exact in a Double up to 2⁵³).
public struct NumPyArray: Sendable {
    public let shape: [Int]
    public let values: [Double]
}

/// Reads NumPy's `.npy` format (versions 1–3) and `.npz` archives (a zip of `.npy` files, stored or
/// deflated, as `np.savez` and `np.savez_compressed` write them): D4RL-style datasets.
public enum NumPyArchive {
    /// Every array in an `.npz` file, by name (without the `.npy` suffix).
    public static func read(npz url: URL) throws -> [String: NumPyArray] {
        let data = try Data(contentsOf: url)
        var arrays: [String: NumPyArray] = [:]
        for entry in try zipEntries(data, file: url.lastPathComponent) where entry.name.hasSuffix(".npy") {
            let name = String(entry.name.dropLast(4))
            arrays[name] = try parseNPY(entry.contents, what: "\(url.lastPathComponent): \(entry.name)")
        }
        return arrays
    }

    // MARK: - .npy

    /// Parses one `.npy` file: magic, version, header (a Python dict literal), then the data.
    static func parseNPY(_ data: Data, what: String) throws -> NumPyArray {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw DatasetError.malformed("\(what) is not a .npy array")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
        case 2, 3:
            guard bytes.count >= 12 else { throw DatasetError.malformed("\(what): header cut short") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default: throw DatasetError.malformed("\(what): .npy version \(major) is not supported")
        }
        guard headerStart + headerLength <= bytes.count,
              let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8) else {
            throw DatasetError.malformed("\(what): header cut short")
        }
        guard let descr = quotedValue(of: "descr", in: header), let shape = shapeValue(in: header) else {
            throw DatasetError.malformed("\(what): header without 'descr' and 'shape': \(header.prefix(80))")
        }
        if header.contains("'fortran_order': True") && shape.count > 1 {
            throw DatasetError.unsupported("\(what) is in Fortran order")
        }
        guard let type = ElementType(descr) else { throw DatasetError.unsupported("\(what): element type \(descr)") }
        let (count, overflow) = shape.reduce((1, false)) { acc, n in
            let (p, o) = acc.0.multipliedReportingOverflow(by: n)
            return (p, acc.1 || o || n < 0)
        }
        let start = headerStart + headerLength
        guard !overflow, count <= (bytes.count - start) / type.size, count * type.size == bytes.count - start else {
            throw DatasetError.malformed("\(what): \(bytes.count - start) data bytes for shape \(shape) of \(descr)")
        }
        let values = bytes.withUnsafeBytes { raw in
            (0..<count).map { type.value(raw, start + $0 * type.size) }
        }
        return NumPyArray(shape: shape, values: values)
    }

    /// The little-endian (or byte-sized) element types NumPy writes for numbers and booleans.
    struct ElementType {
        let size: Int
        let value: (UnsafeRawBufferPointer, Int) -> Double

        init?(_ descr: String) {
            switch descr {
            case "<f4": (size, value) = (4, { Double(Float(bitPattern: $0.loadUnaligned(fromByteOffset: $1, as: UInt32.self).littleEndian)) })
            case "<f8": (size, value) = (8, { Double(bitPattern: $0.loadUnaligned(fromByteOffset: $1, as: UInt64.self).littleEndian) })
            case "<i8": (size, value) = (8, { Double(Int64(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: Int64.self))) })
            case "<i4": (size, value) = (4, { Double(Int32(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: Int32.self))) })
            case "<i2": (size, value) = (2, { Double(Int16(littleEndian: $0.loadUnaligned(fromByteOffset: $1, as: Int16.self))) })
            case "|i1": (size, value) = (1, { Double(Int8(bitPattern: $0[$1])) })
            case "|u1", "|b1": (size, value) = (1, { Double($0[$1]) })
            default: return nil
            }
        }
    }

    /// `'key': 'value'` in the header dict.
    static func quotedValue(of key: String, in header: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        let rest = header[range.upperBound...].drop { $0 == " " }
        guard let quote = rest.first, quote == "'" || quote == "\"" else { return nil }
        let body = rest.dropFirst()
        guard let end = body.firstIndex(of: quote) else { return nil }
        return String(body[..<end])
    }

    /// `'shape': (a, b, …)` in the header dict.
    static func shapeValue(in header: String) -> [Int]? {
        guard let range = header.range(of: "'shape':"), let open = header[range.upperBound...].firstIndex(of: "("),
              let close = header[open...].firstIndex(of: ")") else { return nil }
        let items = header[header.index(after: open)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let shape = items.filter { !$0.isEmpty }.compactMap { Int($0) }
        return shape.count == items.filter { !$0.isEmpty }.count ? shape : nil
    }

    // MARK: - zip

    struct ZipEntry { let name: String; let contents: Data }

    /// The members of a zip archive, through its central directory (no zip64: members under 4 GiB).
    static func zipEntries(_ data: Data, file: String) throws -> [ZipEntry] {
        let bytes = [UInt8](data)
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        guard bytes.count >= 22,
              let end = stride(from: bytes.count - 22, through: Swift.max(0, bytes.count - 65_557), by: -1)
                .first(where: { u32($0) == 0x0605_4b50 }) else {
            throw DatasetError.malformed("\(file) is not a zip archive (.npz)")
        }
        let entryCount = u16(end + 10), directoryOffset = u32(end + 16)
        var entries: [ZipEntry] = [], cursor = directoryOffset
        for _ in 0..<entryCount {
            guard cursor + 46 <= bytes.count, u32(cursor) == 0x0201_4b50 else { throw DatasetError.malformed("\(file): central directory cut short") }
            let method = u16(cursor + 10), compressed = u32(cursor + 20), size = u32(cursor + 24)
            let nameLength = u16(cursor + 28), extraLength = u16(cursor + 30), commentLength = u16(cursor + 32)
            let local = u32(cursor + 42)
            guard cursor + 46 + nameLength <= bytes.count,
                  let name = String(bytes: bytes[(cursor + 46)..<(cursor + 46 + nameLength)], encoding: .utf8) else {
                throw DatasetError.malformed("\(file): a member's name is cut short")
            }
            guard compressed != 0xFFFF_FFFF, size != 0xFFFF_FFFF else { throw DatasetError.unsupported("\(file): zip64 members (over 4 GiB)") }
            guard local + 30 <= bytes.count, u32(local) == 0x0403_4b50 else { throw DatasetError.malformed("\(file): \(name) has no local header") }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard start + compressed <= bytes.count else { throw DatasetError.malformed("\(file): \(name) is cut short") }
            let contents: Data
            switch method {
            case 0: contents = Data(bytes[start..<(start + compressed)])
            case 8:
                // DEFLATE expands at most about 1032:1; a claimed size beyond that (or memory) is a lie.
                guard size <= 1032 * compressed + 64, UInt64(size) <= ProcessInfo.processInfo.physicalMemory / 4 else {
                    throw DatasetError.malformed("\(file): \(name) claims \(size) bytes from \(compressed)")
                }
                guard size > 0 else { contents = Data(); break }
                var output = [UInt8](repeating: 0, count: size)
                let status = bytes.withUnsafeBufferPointer { source in
                    output.withUnsafeMutableBufferPointer { destination in
                        athanor_inflate_raw(source.baseAddress! + start, compressed, destination.baseAddress, size)
                    }
                }
                guard status == 0 else { throw DatasetError.malformed("\(file): \(name) does not inflate to its \(size) bytes") }
                contents = Data(output)
            default: throw DatasetError.unsupported("\(file): \(name) uses zip compression method \(method)")
            }
            // The archive's CRC-32 of each member catches corruption that still inflates.
            let crc = contents.withUnsafeBytes { raw in
                raw.isEmpty ? 0 : Int(CZlib.crc32(0, raw.bindMemory(to: UInt8.self).baseAddress, UInt32(raw.count)))
            }
            guard crc == u32(cursor + 16) else { throw DatasetError.malformed("\(file): \(name) fails its CRC-32 check") }
            entries.append(ZipEntry(name: name, contents: contents))
            cursor += 46 + nameLength + extraLength + commentLength
        }
        return entries
    }
}
