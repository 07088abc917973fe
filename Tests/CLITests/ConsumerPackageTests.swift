import Foundation
import Testing

/// Another package can depend on Athanor by URL and version. SwiftPM refuses a versioned
/// dependency whose products carry unsafe build flags, so Package.swift leaves its CPU flags
/// out of a versioned checkout; this builds Examples/QuickStart against a tagged copy of the
/// working tree, as a user's package would, and runs it.
@Suite("Athanor as a dependency")
struct ConsumerPackageTests {
    @Test func aPackageDependsOnATaggedCloneByVersion() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("athanor-consumer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let repository = scratch.appendingPathComponent("athanor"), consumer = scratch.appendingPathComponent("quickstart")

        // The working tree as git sees it (tracked and untracked files, nothing ignored), tagged.
        let files = try shell("git ls-files -co --exclude-standard -z", in: root).split(separator: "\0").map(String.init)
        for file in files where FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path) {
            let target = repository.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: root.appendingPathComponent(file), to: target)
        }
        _ = try shell("git init -q && git add -A && git -c user.name=test -c user.email=test@example.com commit -qm snapshot && git tag 0.1.0",
                      in: repository)
        try FileManager.default.copyItem(at: root.appendingPathComponent("Examples/QuickStart"), to: consumer)

        let run = scratch.appendingPathComponent("run")
        let output = try shell("swift build -c release 2>&1 && .build/release/QuickStart 2048 \(run.path)", in: consumer,
                               environment: ["ATHANOR_URL": repository.absoluteString])
        #expect(!output.contains("unsafe build flags"), "\(output)")
        #expect(output.contains("build generic; PPO on CartPole-v1 after 2048 steps: mean return"), "\(output)")
        // The library wrote the run directory as `athanor train --out` does.
        for file in ["config.json", "metrics.csv", "metrics.jsonl", "checkpoint.safetensors", "best.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), "\(file)")
        }
    }

    /// Runs `command` with bash in `directory`; throws with its output if it fails.
    func shell(_ command: String, in directory: URL, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ShellError(description: "`\(command)` failed (\(process.terminationStatus)): \(output.suffix(2000))")
        }
        return output
    }

    struct ShellError: Error, CustomStringConvertible { let description: String }
}
