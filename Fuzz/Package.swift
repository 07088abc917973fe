// swift-tools-version:6.1
// libFuzzer targets for Athanor's parsers of untrusted input (issue 13: no input crashes the tool).
// Each target is one file defining `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`. Build and
// run them all with `scripts/fuzz.sh [seconds-per-target]`, or by hand from the repository root:
//
//   swift build -c release --package-path Fuzz --build-path .build-fuzz --sanitize=fuzzer
//   SWIFT_BACKTRACE=enable=no .build-fuzz/release/FuzzSafeTensors -max_total_time=60 <a copy of Fuzz/Corpus/FuzzSafeTensors>
//
// `--sanitize=fuzzer` instruments every module for coverage (the library's too) and links
// libFuzzer. `SWIFT_BACKTRACE=enable=no` leaves a trap's signal to libFuzzer, which then writes
// the crash file. Set ATHANOR_FUZZ_VERBOSE=1 to have a target print what each input gave (to
// reproduce a crash file or check the seed corpus: `.build-fuzz/release/FuzzReplay crash-…`).
import PackageDescription

// The entry point is a C function, so there is no top-level code and no `@main`.
// (Unsafe flags are allowed here: this package is only ever a root package.)
let library: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

func fuzzer(_ name: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: products.map { .product(name: $0, package: "Athanor") },
                      path: "Sources/\(name)", swiftSettings: library)
}

let package = Package(
    name: "AthanorFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Athanor", path: "..")],
    targets: [
        fuzzer("FuzzSafeTensors", ["NN", "Tensor"]),
        fuzzer("FuzzHyperparameters", ["Agents"]),
        fuzzer("FuzzReplay", ["RL", "Environments"]),
        fuzzer("FuzzMetricsCSV", ["Training"]),
        fuzzer("FuzzZooFile", ["Agents"]),
    ],
    swiftLanguageModes: [.v6]
)
