import Foundation
import TestSupport
import Testing
import NN

struct PythonTensors: Decodable {
    let shape: [Int]
    let data: [Float]
}

@Suite("safetensors checkpoints")
struct SafeTensorsTests {
    func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("athanor-tests-\(getpid())-\(name)")
    }

    @Test func readsAFileWrittenByPython() throws {
        let file = try SafeTensors.read(from: fixtureURL("python_written.safetensors"))
        let expected = try loadJSON([String: PythonTensors].self, "python_written.json")
        #expect(file.metadata == ["framework": "numpy", "note": "fixture"])
        #expect(Set(file.tensors.map(\.name)) == Set(expected.keys))
        for (name, values) in expected {
            let tensor = try #require(file[name])
            #expect(tensor.shape == values.shape, "\(name)")
            #expect(tensor.scalars == values.data, "\(name)")
        }
    }

    /// The same tensors written by us; scripts/check_safetensors_interop.py showed Python reads
    /// this file back to the same values, and this test keeps our writer producing exactly it.
    @Test func writerOutputIsStableAndReadableByPython() throws {
        let python = try SafeTensors.read(from: fixtureURL("python_written.safetensors"))
        let ours = SafeTensors(tensors: python.tensors, metadata: ["framework": "athanor", "note": "fixture"])
        let fixtureOnDisk = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/athanor_written.safetensors")
        if ProcessInfo.processInfo.environment["ATHANOR_WRITE_FIXTURES"] != nil {
            try ours.write(to: fixtureOnDisk)
        }
        #expect(try ours.encoded() == Data(contentsOf: fixtureURL("athanor_written.safetensors")))
    }

    @Test func roundTripsModulesAtomically() throws {
        var g = RandomGenerator(seed: 5)
        let model = Sequential.mlp([3, 5, 2], activation: .relu, using: &g)
        let url = temporaryURL("model.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url, metadata: ["agent": "test"])
        let other = Sequential.mlp([3, 5, 2], activation: .relu, using: &g)
        #expect(other.parameters[0].value.scalars != model.parameters[0].value.scalars)
        #expect(try other.load(from: url) == ["agent": "test"])
        for (a, b) in zip(model.parameters, other.parameters) { #expect(a.value.scalars == b.value.scalars) }
        // No temporary file is left beside the checkpoint.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(!siblings.contains { $0.contains("model.safetensors.") && $0.hasSuffix(".tmp") })
    }

    @Test func loadingAWrongModelIsAnErrorAndChangesNothing() throws {
        var g = RandomGenerator(seed: 6)
        let small = Sequential.mlp([3, 5, 2], activation: .relu, using: &g)
        let wide = Sequential.mlp([3, 7, 2], activation: .relu, using: &g)
        let before = wide.parameters.map(\.value.scalars)
        #expect(throws: CheckpointError.shapeMismatch(name: "0.weight", expected: [7, 3], found: [5, 3])) {
            try wide.load(small.stateDictionary())
        }
        #expect(wide.parameters.map(\.value.scalars) == before)
        let deeper = Sequential.mlp([3, 5, 2, 2], activation: .relu, using: &g)
        #expect(throws: CheckpointError.missingParameter("4.weight")) { try deeper.load(small.stateDictionary()) }
        #expect(throws: CheckpointError.unexpectedTensor("4.weight")) { try small.load(deeper.stateDictionary()) }
    }

    @Test func damagedFilesGiveClearErrors() throws {
        let good = try Data(contentsOf: fixtureURL("python_written.safetensors"))
        // Every truncation is an error, never a crash.
        for length in [0, 3, 8, 20, good.count / 2, good.count - 1] {
            expectError("truncated safetensors file") { _ = try SafeTensors.decode(good.prefix(length)) }
        }
        func header(_ json: String, data: [UInt8] = []) -> Data {
            var bytes = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            return bytes + Data(json.utf8) + Data(data)
        }
        let cases: [(Data, String)] = [
            (header("not json"), "does not start"),
            (header("{\"a\": 1}"), "not valid JSON"),
            (header("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", data: [0, 0]), "dtype F16"),
            (header("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0]), "does not fit"),
            (header("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}"), "invalid or larger"),
            (header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data: [0, 0, 0, 0, 9]), "cover 4 bytes"),
            (Data([255, 255, 255, 255, 255, 255, 255, 127]), "exceeds"),
        ]
        for (data, phrase) in cases {
            do {
                _ = try SafeTensors.decode(data)
                Issue.record("accepted a damaged file (\(phrase))")
            } catch let error as SafeTensorsError {
                #expect(error.description.contains(phrase), "\(error.description)")
            }
        }
        expectError("cannot read checkpoint", "missing.safetensors") { _ = try SafeTensors.read(from: temporaryURL("missing.safetensors")) }
    }
}
