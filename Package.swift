// swift-tools-version:6.1
// Athanor — reinforcement learning from first principles, in Swift.
// Dependencies point one way. The core: Random → Tensor → NN. The environment API:
// Random, Threads, Drawing → RL → Environments, and RL → Datasets. Then NN + RL + Datasets → Agents → Training (with
// Environments and TensorBoard) → Benchmarks → Sweeps → the CLI, and Drawing → Visualizer → the CLI.
import PackageDescription

// MARK: - What the Swift code is compiled for
//
// Results must not depend on the machine they ran on, so the default build (`baseline`) compiles
// for a fixed instruction set: x86-64-v3 on x86_64 (AVX2, FMA, BMI2, F16C — Haswell's set, which
// is what the Swift compiler calls it) and plain ARMv8 (NEON, FMA) on arm64. Every machine that
// meets it runs the same instructions in our kernels and gets the same bits from them (OpenBLAS
// picks its own by CPU: Build.swift). `ATHANOR_CPU=native` (`make CPU=native`) compiles for the build
// host instead, faster there and nowhere else; `ATHANOR_CPU=generic` uses no CPU flags at all.
//
// SwiftPM refuses unsafe flags in a package that another one depends on by version (SwiftPM
// allows them in a root package, a path dependency or a branch/revision checkout), so such a
// versioned checkout, which SwiftPM keeps in a `checkouts` folder, builds `generic`.
//
// Besides the CPU, three flags are measured to matter: cross-module optimisation lets the generic
// environments and wrappers specialise in the caller's module (2.2× the 8-CartPole vector env and
// FrozenLake steps), `-fno-math-errno` lets `squareRoot()` be one instruction instead of a libm
// call kept for errno's sake (the small MLP step 31 % faster), and the core alone is built without
// run-time exclusivity checks (`uncheckedExclusivity` below).
let isVersionedCheckout = Context.packageDirectory.split(separator: "/").contains("checkouts")
let cpu = isVersionedCheckout ? "generic" : (Context.environment["ATHANOR_CPU"] ?? "baseline")
guard ["baseline", "native", "generic"].contains(cpu) else {
    fatalError("ATHANOR_CPU=\(cpu): expected baseline, native or generic")
}
#if arch(x86_64)
let targetCPU: [String] = cpu == "native" ? ["-target-cpu", cpu] : cpu == "baseline" ? ["-target-cpu", "haswell"] : []
let hasFusedMultiplyAdd = cpu != "generic"
#else
let targetCPU: [String] = cpu == "native" ? ["-target-cpu", cpu] : []
let hasFusedMultiplyAdd = true  // every ARMv8 core has FMA
#endif
let vectorised: [SwiftSetting] = [.define("ATHANOR_CPU_\(cpu.uppercased())")]
    + (hasFusedMultiplyAdd ? [.define("ATHANOR_FMA")] : [])
    + (cpu == "generic" ? [] : [.unsafeFlags(targetCPU + ["-cross-module-optimization", "-Xcc", "-fno-math-errno"])])

// The core's graph nodes are classes whose fields every op and every backward reads and writes;
// Swift checks each such access for overlap at run time (a thread-local access set), which cost
// the small MLP step 46.2 µs against 42.8 µs without (A/B in alternating runs, this machine).
// The Tensor target alone is built without those run-time checks; the compile-time ones stay.
let uncheckedExclusivity: [SwiftSetting] = cpu == "generic" ? [] : [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "Athanor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "athanor", targets: ["athanor"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "RL", targets: ["RL"]),
        .library(name: "Environments", targets: ["Environments"]),
        .library(name: "Agents", targets: ["Agents"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "Benchmarks", targets: ["Benchmarks"]),
        .library(name: "Visualizer", targets: ["Visualizer"]),
        .library(name: "Random", targets: ["Random"]),
        .library(name: "Drawing", targets: ["Drawing"]),
        .library(name: "TensorBoard", targets: ["TensorBoard"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "TinyLM", targets: ["TinyLM"]),
        .library(name: "Sweeps", targets: ["Sweeps"]),
    ],
    // `SDL`: the visualizer's window, PNG screenshots (SDL2_image), GIF recordings (giflib) and
    // TrueType text (SDL2_ttf).
    // Off by default so the package builds without those libraries; `make demo`/`make test` turn it on.
    traits: [.trait(name: "SDL", description: "SDL2 window, PNG and GIF output for athanor watch")],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // rl-baselines3-zoo's hyper-parameter files are YAML (`--config hyperparams/ppo.yml`).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Property-based tests (Swift Testing): only the test targets use it.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // OpenBLAS's CBLAS interface; Debian ships it as libopenblas-dev.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // SDL2, SDL2_image and giflib for the visualizer (used only with the SDL trait).
        .systemLibrary(name: "CSDL2", path: "Sources/CSDL2", pkgConfig: "sdl2", providers: [.apt(["libsdl2-dev"])]),
        .systemLibrary(name: "CSDL2Image", path: "Sources/CSDL2Image", pkgConfig: "SDL2_image",
                       providers: [.apt(["libsdl2-image-dev"])]),
        .systemLibrary(name: "CGIF", path: "Sources/CGIF", providers: [.apt(["libgif-dev"])]),
        // SDL2_ttf draws labels in a TrueType font (DejaVu Sans, fonts-dejavu-core).
        .systemLibrary(name: "CSDL2TTF", path: "Sources/CSDL2TTF", pkgConfig: "SDL2_ttf", providers: [.apt(["libsdl2-ttf-dev", "fonts-dejavu-core"])]),
        // HDF5 (libhdf5-dev) for Minari's dataset files and zlib for NumPy's compressed .npz archives.
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Counts heap allocations for `athanor perf`; linked into the CLI only.
        .target(name: "CAllocationCounter", path: "Sources/CAllocationCounter"),
        // The thread's floating-point mode (flushing subnormals) and the spin-wait hint, which Swift cannot reach.
        .target(name: "CFloatMode", path: "Sources/CFloatMode"),
        // The seeded generator every stochastic component takes; nothing else, so an environment
        // that needs randomness links no BLAS.
        .target(name: "Random", path: "Sources/Random", swiftSettings: vectorised),
        // Worker threads that stay awake between jobs, and the threads' floating-point mode.
        .target(name: "Threads", dependencies: ["CFloatMode"], path: "Sources/Threads", swiftSettings: vectorised),
        // A software canvas, its colours and font, and the `Scene` protocol environments draw through.
        .target(name: "Drawing", path: "Sources/Drawing", swiftSettings: vectorised),
        .target(name: "Tensor", dependencies: ["COpenBLAS", "Random", "Threads"], path: "Sources/Tensor",
                swiftSettings: vectorised + uncheckedExclusivity),
        .target(name: "NN", dependencies: ["Tensor"], path: "Sources/NN", swiftSettings: vectorised),
        .target(name: "RL", dependencies: ["Random", "Threads", "Drawing"], path: "Sources/RL", swiftSettings: vectorised),
        .target(name: "Environments", dependencies: ["RL", "Random", "Drawing"], path: "Environments", swiftSettings: vectorised),
        // Offline RL datasets: transitions in episodes, Minari's HDF5 layout, D4RL's .npz arrays, collect / info / mix.
        .target(name: "Datasets", dependencies: ["RL", "Random", "CHDF5", "CZlib"], path: "Sources/Datasets", swiftSettings: vectorised),
        // The tiny language model: tokenizers, a GPT-2-shaped decoder, its KV cache and sampling, the addition task,
        // pretraining, and the Hugging Face boundary (config.json + model.safetensors).
        .target(name: "TinyLM", dependencies: ["NN", "Tensor", "Random"], path: "Sources/TinyLM", swiftSettings: vectorised),
        .target(name: "Agents", dependencies: ["RL", "NN", "Tensor", "Datasets", "TinyLM", .product(name: "Yams", package: "Yams")], path: "Agents",
                swiftSettings: vectorised),
        // TensorBoard's event files (records, CRC-32C, the event messages), on Foundation alone.
        .target(name: "TensorBoard", path: "Sources/TensorBoard"),
        // The training loop a Swift user calls (`learn`), run directories, callbacks, `load(from:)`.
        .target(name: "Training", dependencies: ["Agents", "Environments", "RL", "NN", "Tensor", "Threads", "TensorBoard"], path: "Sources/Training",
                swiftSettings: vectorised),
        // The suites and reports behind `athanor bench` and `athanor perf`.
        .target(name: "Benchmarks", dependencies: ["Training", "Agents", "TinyLM", "Datasets", "Environments", "RL", "NN", "Tensor", "Random", "Threads", "Drawing", "COpenBLAS"],
                path: "Sources/Benchmarks", swiftSettings: vectorised),
        // Sweeps: grids of runs as numbered, resumable tasks for local workers, Slurm job arrays and Optuna studies.
        .target(name: "Sweeps", dependencies: ["Benchmarks", "Training", "Agents", "Environments", "RL", "NN", .product(name: "Yams", package: "Yams")],
                path: "Sources/Sweeps", swiftSettings: vectorised),
        .target(
            name: "Visualizer",
            dependencies: [
                "Drawing",
                .target(name: "CSDL2", condition: .when(traits: ["SDL"])),
                .target(name: "CSDL2Image", condition: .when(traits: ["SDL"])),
                .target(name: "CGIF", condition: .when(traits: ["SDL"])),
                .target(name: "CSDL2TTF", condition: .when(traits: ["SDL"])),
            ],
            path: "Sources/Visualizer"
        ),
        .executableTarget(
            name: "athanor",
            dependencies: [
                "Tensor", "NN", "RL", "Environments", "Agents", "Training", "Benchmarks", "Sweeps", "Visualizer", "Threads", "CAllocationCounter", "Datasets", "TinyLM", "Random", "Drawing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/athanor"
        ),
        // Helpers the test targets share.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], path: "Tests/TensorTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor", "TestSupport"], path: "Tests/NNTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "EnvironmentsTests", dependencies: ["Environments", "RL", "Random", "Drawing", "TestSupport"], path: "Tests/EnvironmentsTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "TinyLM", "Datasets", "Environments", "RL", "NN", "Tensor", "Training", "TestSupport",
                                                  .product(name: "PropertyBased", package: "swift-property-based")],
                    path: "Tests/AgentsTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TinyLM", "TensorBoard", "Agents", "Environments", "RL", "NN", "Drawing", "TestSupport"],
                    path: "Tests/TrainingTests", resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Environments", "RL", "Random", "TestSupport"], path: "Tests/DatasetsTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TinyLMTests", dependencies: ["TinyLM", "NN", "Tensor", "Random", "TestSupport"], path: "Tests/TinyLMTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Agents", "Environments", "RL", "TestSupport"],
                    path: "Tests/BenchmarksTests"),
        .testTarget(name: "VisualizerTests",
                    dependencies: ["Visualizer", "Environments", "RL", "TestSupport", .target(name: "CSDL2", condition: .when(traits: ["SDL"]))],
                    path: "Tests/VisualizerTests"),
        .testTarget(name: "SweepsTests", dependencies: ["Sweeps", "Benchmarks", "Training", "Agents", "Environments", "TestSupport"],
                    path: "Tests/SweepsTests"),
        // Runs the built `athanor` binary (swift test builds it alongside the tests).
        .testTarget(name: "CLITests", dependencies: ["Agents"], path: "Tests/CLITests"),
    ],
    swiftLanguageModes: [.v6]
)
