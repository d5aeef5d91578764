// swift-tools-version: 6.1
import PackageDescription

/// Settings every Swift target shares: strict from the first day, cheaper than later.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "AtomForge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "atomforge", targets: ["atomforge"]),
        .library(name: "AtomForge", targets: ["AtomForge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // C headers only: Debian's libyaml (libyaml-dev) and libcurl (libcurl4-openssl-dev), found by pkg-config.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CLibCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The library is a stack of layers, each a module that may use only the ones below it, so that a cycle is a
        // compile error (docs/architecture.md draws them). The bottom: the platform edge (files, descriptors,
        // processes, the libcurl and libyaml wrappers), the only layer that speaks to the C library (with the inbox's
        // inotify watcher).
        .target(
            name: "AtomForgeSystem",
            dependencies: [
                "CLibYAML",
                "CLibCurl",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strictSettings
        ),
        // The vocabulary: plans, their atoms and languages, the configuration, and what a run finds out (statuses,
        // attempts, failure kinds, evidence, token usage).
        .target(
            name: "AtomForgeModel",
            dependencies: ["AtomForgeSystem"],
            swiftSettings: strictSettings
        ),
        // The work: providers, extraction, validation in the sandbox, classes, the plan's suite, evidence, and the
        // engine that schedules atoms and runs the ladder; what it tells is events, what it keeps goes through a
        // recorder it is handed.
        .target(
            name: "AtomForgeGeneration",
            dependencies: [
                "AtomForgeModel",
                "AtomForgeSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            // Compiled into the binary, so that it needs no files beside it: the programs run beside generated code,
            // kept as files of their own language for that language's tools (see EmbeddedFile).
            resources: [
                .embedInCode("Evidence/Scripts/behaviour-probe-support.swift"),
                .embedInCode("Evidence/Scripts/behaviour-probe.js"),
                .embedInCode("Evidence/Scripts/behaviour-probe.py"),
                .embedInCode("Extraction/Scripts/unit-extractor.py"),
                .embedInCode("Suite/Scripts/suite-driver-swift.py"),
                .embedInCode("Suite/Scripts/suite-driver.js"),
                .embedInCode("Suite/Scripts/suite-driver.py"),
                .embedInCode("Suite/Scripts/suite-preload.js"),
                .embedInCode("Suite/Scripts/suite-reporter.mjs"),
                .embedInCode("Validation/Scripts/source-tree-check.js"),
                .embedInCode("Validation/Scripts/source-tree-check.py"),
                .embedInCode("Validation/Scripts/test-harness-support.swift"),
                .embedInCode("Validation/Scripts/test-harness.js"),
                .embedInCode("Validation/Scripts/test-harness.py"),
                .embedInCode("Validation/Scripts/warm-parser.py"),
                .embedInCode("Validation/Scripts/warm-runner.py"),
            ],
            swiftSettings: strictSettings
        ),
        // What a run leaves: the run folder and its journal, reports, summaries, the run page.
        .target(
            name: "AtomForgeOutbox",
            dependencies: [
                "AtomForgeGeneration",
                "AtomForgeModel",
                "AtomForgeSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            exclude: ["RunPage/Assets/LICENSE-prism"],
            // The run page's script and styles, which index.html carries inline (the page needs no network).
            resources: [
                .embedInCode("RunPage/Assets/prism.js"),
                .embedInCode("RunPage/Assets/prism.css"),
                .embedInCode("RunPage/Assets/run-page.js"),
                .embedInCode("RunPage/Assets/run-page.css"),
            ],
            swiftSettings: strictSettings
        ),
        // The top: jobs (a plan, an accept), the inbox daemon, the hosts' status, systemd, export. It re-exports
        // the layers below, so that the commands and the tests import one module.
        .target(
            name: "AtomForge",
            dependencies: [
                "AtomForgeOutbox",
                "AtomForgeGeneration",
                "AtomForgeModel",
                "AtomForgeSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "atomforge",
            dependencies: [
                "AtomForge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings
        ),
        // Benchmarks: `scripts/bench` runs this and writes BENCHMARKS.md.
        .executableTarget(
            name: "atomforge-bench",
            dependencies: [
                "AtomForge",
                "AtomForgeTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Fakes and helpers the tests and the benchmark drive the engine with: a scripted model and validator, an
        // in-memory recorder, the repository's files. No network, no processes.
        .target(
            name: "AtomForgeTestSupport",
            dependencies: ["AtomForge", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // Fast tests: the engine, config, plans, YAML, events, pages, in-process, in seconds
        // (`swift test --filter AtomForgeUnitTests`).
        .testTarget(
            name: "AtomForgeUnitTests",
            dependencies: ["AtomForge", "AtomForgeTestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // End to end: the real binary, real servers on loopback, real toolchains, the sandbox, the local model.
        .testTarget(
            name: "AtomForgeTests",
            dependencies: [
                "AtomForge",
                "AtomForgeTestSupport",
                "atomforge",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
