// swift-tools-version:6.1
// Athanor — reinforcement learning from first principles, in Swift.
// Dependencies point one way: Tensor → NN → RL → Environments / Agents → CLI.
import PackageDescription

// Athanor builds from source where it runs, so the element-wise kernels may use the host's full
// vector width (AVX2 and FMA on the machines we target), as `-march=native` would in C.
// `-fno-math-errno` lets `squareRoot()` compile to a vector instruction: without it Swift on
// Linux keeps a libm call for errno's sake, and loops containing it do not vectorise.
// Exclusivity is checked at compile time; the run-time check of class properties costs more
// than the arithmetic of a 64-unit layer, so it is left out of these targets. Cross-module
// optimisation lets generic code (vector environments, wrappers) specialise for the concrete
// environment in the caller's module instead of going through witness tables every step.
let vectorised: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native", "-Xcc", "-fno-math-errno", "-enforce-exclusivity=unchecked",
                  "-cross-module-optimization"]),
]

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
        .library(name: "Visualizer", targets: ["Visualizer"]),
    ],
    // `SDL`: the visualizer's window, PNG screenshots (SDL2_image) and GIF recordings (giflib).
    // Off by default so the package builds without those libraries; `make demo`/`make test` turn it on.
    traits: [.trait(name: "SDL", description: "SDL2 window, PNG and GIF output for athanor watch")],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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
        // Counts heap allocations for `athanor perf`; linked into the CLI only.
        .target(name: "CAllocationCounter", path: "Sources/CAllocationCounter"),
        .target(name: "Tensor", dependencies: ["COpenBLAS"], path: "Sources/Tensor", swiftSettings: vectorised),
        .target(name: "NN", dependencies: ["Tensor"], path: "Sources/NN", swiftSettings: vectorised),
        .target(name: "RL", dependencies: ["NN"], path: "Sources/RL", swiftSettings: vectorised),
        .target(name: "Environments", dependencies: ["RL"], path: "Environments", swiftSettings: vectorised),
        .target(name: "Agents", dependencies: ["RL", "NN", "Tensor"], path: "Agents", swiftSettings: vectorised),
        .target(
            name: "Visualizer",
            dependencies: [
                "RL",
                .target(name: "CSDL2", condition: .when(traits: ["SDL"])),
                .target(name: "CSDL2Image", condition: .when(traits: ["SDL"])),
                .target(name: "CGIF", condition: .when(traits: ["SDL"])),
            ],
            path: "Sources/Visualizer"
        ),
        .executableTarget(
            name: "athanor",
            dependencies: [
                "Tensor", "NN", "RL", "Environments", "Agents", "Visualizer", "CAllocationCounter", "COpenBLAS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/athanor"
        ),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], path: "Tests/TensorTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor"], path: "Tests/NNTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "EnvironmentsTests", dependencies: ["Environments", "RL"], path: "Tests/EnvironmentsTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "Environments", "RL", "NN", "Tensor"], path: "Tests/AgentsTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "VisualizerTests",
                    dependencies: ["Visualizer", "Environments", "RL", .target(name: "CSDL2", condition: .when(traits: ["SDL"]))],
                    path: "Tests/VisualizerTests"),
        // Runs the built `athanor` binary (swift test builds it alongside the tests).
        .testTarget(name: "CLITests", path: "Tests/CLITests"),
    ],
    swiftLanguageModes: [.v6]
)
