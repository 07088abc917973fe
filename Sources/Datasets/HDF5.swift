import CHDF5
import Foundation

/// The little of HDF5 (through the system libhdf5) that Minari's layout needs: files, groups,
/// one- and two-dimensional numeric datasets, and integer attributes. Every call's failure
/// becomes a `DatasetError` naming the object; the library's own error printing is off.
final class HDF5Object {
    let id: hid_t
    let path: String
    private let close: (hid_t) -> herr_t

    private init(id: hid_t, path: String, close: @escaping (hid_t) -> herr_t) { (self.id, self.path, self.close) = (id, path, close) }
    deinit { _ = close(id) }

    private static func check(_ id: hid_t, _ what: @autoclosure () -> String) throws -> hid_t {
        guard id >= 0 else { throw DatasetError.malformed(what()) }
        return id
    }

    /// An existing file, read-only.
    static func open(file url: URL) throws -> HDF5Object {
        athanor_h5_silence()
        guard H5Fis_hdf5(url.path) > 0 else { throw DatasetError.malformed("\(url.path) is not an HDF5 file") }
        let id = try check(H5Fopen(url.path, athanor_h5f_acc_rdonly(), athanor_h5p_default()), "cannot open \(url.path)")
        return HDF5Object(id: id, path: url.lastPathComponent, close: H5Fclose)
    }

    /// A new file (it must not exist), tracking the creation order of its members as h5py's `track_order`.
    static func create(file url: URL) throws -> HDF5Object {
        athanor_h5_silence()
        let properties = H5Pcreate(athanor_h5p_file_create())
        defer { H5Pclose(properties) }
        H5Pset_link_creation_order(properties, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED))
        let id = try check(H5Fcreate(url.path, athanor_h5f_acc_excl(), properties, athanor_h5p_default()), "cannot create \(url.path)")
        return HDF5Object(id: id, path: url.lastPathComponent, close: H5Fclose)
    }

    func group(_ name: String) throws -> HDF5Object {
        guard H5Lexists(id, name, athanor_h5p_default()) > 0 else { throw DatasetError.malformed("\(path) has no '\(name)'") }
        let child = try Self.check(H5Gopen2(id, name, athanor_h5p_default()), "\(path)/\(name) is not a group")
        return HDF5Object(id: child, path: "\(path)/\(name)", close: H5Gclose)
    }

    func createGroup(_ name: String) throws -> HDF5Object {
        let child = try Self.check(H5Gcreate2(id, name, athanor_h5p_default(), athanor_h5p_default(), athanor_h5p_default()),
                                   "cannot create group \(path)/\(name)")
        return HDF5Object(id: child, path: "\(path)/\(name)", close: H5Gclose)
    }

    func contains(_ name: String) -> Bool { H5Lexists(id, name, athanor_h5p_default()) > 0 }

    // MARK: Datasets

    /// A dataset's shape and values, converted by HDF5 to `memoryType` (NumPy's bools, an enum, to int8).
    private func read<T: Numeric & BitwiseCopyable>(_ name: String, as memoryType: hid_t, zero: T, limit: Int) throws -> (shape: [Int], values: [T]) {
        guard contains(name) else { throw DatasetError.malformed("\(path) has no '\(name)'") }
        let dataset = try Self.check(H5Dopen2(id, name, athanor_h5p_default()), "\(path)/\(name) is not a dataset")
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard (0...2).contains(rank) else { throw DatasetError.unsupported("\(path)/\(name) has \(rank) dimensions") }
        var dims = [hsize_t](repeating: 0, count: Swift.max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        let shape = rank == 0 ? [] : dims.prefix(rank).map { Int($0) }
        let count = shape.reduce(1, *)
        guard count <= limit else { throw DatasetError.malformed("\(path)/\(name) claims \(count) values") }
        var values = [T](repeating: zero, count: count)
        guard count == 0 || H5Dread(dataset, memoryType, athanor_h5s_all(), athanor_h5s_all(), athanor_h5p_default(), &values) >= 0 else {
            throw DatasetError.malformed("\(path)/\(name) cannot be read as numbers")
        }
        return (shape, values)
    }

    func readFloats(_ name: String, limit: Int) throws -> (shape: [Int], values: [Float]) {
        try read(name, as: athanor_h5t_native_float(), zero: Float(0), limit: limit)
    }

    func readBools(_ name: String, limit: Int) throws -> [Bool] {
        try read(name, as: athanor_h5t_native_int8(), zero: Int8(0), limit: limit).values.map { $0 != 0 }
    }

    private func write<T: BitwiseCopyable>(_ name: String, shape: [Int], values: [T], fileType: hid_t, memoryType: hid_t) throws {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) for \(values.count) values")
        let dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        defer { H5Sclose(space) }
        let dataset = try Self.check(H5Dcreate2(id, name, fileType, space, athanor_h5p_default(), athanor_h5p_default(), athanor_h5p_default()),
                                     "cannot create \(path)/\(name)")
        defer { H5Dclose(dataset) }
        guard values.isEmpty || H5Dwrite(dataset, memoryType, athanor_h5s_all(), athanor_h5s_all(), athanor_h5p_default(), values) >= 0 else {
            throw DatasetError.io("cannot write \(path)/\(name)")
        }
    }

    func writeFloats(_ name: String, shape: [Int], _ values: [Float]) throws {
        try write(name, shape: shape, values: values, fileType: athanor_h5t_ieee_f32le(), memoryType: athanor_h5t_native_float())
    }

    func writeInt64s(_ name: String, shape: [Int], _ values: [Int64]) throws {
        try write(name, shape: shape, values: values, fileType: athanor_h5t_std_i64le(), memoryType: athanor_h5t_native_int64())
    }

    func writeBools(_ name: String, _ values: [Bool]) throws {
        let type = athanor_h5t_bool_enum()
        defer { H5Tclose(type) }
        try write(name, shape: [values.count], values: values.map { Int8($0 ? 1 : 0) }, fileType: type, memoryType: type)
    }

    // MARK: Attributes

    func writeAttribute(_ name: String, _ value: Int64) throws {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = try Self.check(H5Acreate2(id, name, athanor_h5t_std_i64le(), space, athanor_h5p_default(), athanor_h5p_default()),
                                       "cannot create attribute \(path).\(name)")
        defer { H5Aclose(attribute) }
        var v = value
        guard H5Awrite(attribute, athanor_h5t_native_int64(), &v) >= 0 else { throw DatasetError.io("cannot write attribute \(path).\(name)") }
    }
}
