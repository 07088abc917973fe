// swift-tools-version:6.1
// A package that uses Athanor as a library. By default it depends on the checkout it sits in;
// with ATHANOR_URL set it depends on that repository by version instead, as any other package
// would (the test suite does so against a tagged copy of the working tree).
import PackageDescription

let athanor: Package.Dependency = Context.environment["ATHANOR_URL"].map { .package(url: $0, from: "0.1.0") }
    ?? .package(name: "Athanor", path: "../..")

let package = Package(
    name: "QuickStart",
    platforms: [.macOS(.v15)],
    dependencies: [athanor],
    targets: [
        .executableTarget(name: "QuickStart", dependencies: [
            .product(name: "Agents", package: "Athanor"),
            .product(name: "Tensor", package: "Athanor"),
            .product(name: "Training", package: "Athanor"),
        ]),
    ]
)
