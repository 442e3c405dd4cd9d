// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "OZGLaborSync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "OZGStorage", targets: ["OZGStorage"]),
        .library(name: "OZGReplication", targets: ["OZGReplication"]),
        .library(name: "OZGWire", targets: ["OZGWire"]),
        .library(name: "OZGDomain", targets: ["OZGDomain"]),
        .library(name: "OZGSyncClient", targets: ["OZGSyncClient"]),
        .library(name: "OZGShell", targets: ["OZGShell"]),
        .executable(name: "ozg-shell", targets: ["ozg-shell"]),
        .executable(name: "ozg-sync-server", targets: ["SyncServer"]),
        .executable(name: "ozg-bench", targets: ["ozg-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The layers, bottom to top (docs/ARCHITECTURE.md, "Layers"). A target imports only those below it.
        // Each folder's README.md says what the target owns and what it may call.
        .target(name: "OZGStorage", dependencies: ["CSQLite"], exclude: ["README.md"]),
        .target(name: "OZGReplication", dependencies: ["OZGStorage"], exclude: ["README.md"]),
        .target(name: "OZGWire", dependencies: ["OZGReplication", "CZlib"], exclude: ["README.md"]),
        .target(name: "OZGDomain", dependencies: ["OZGStorage", "OZGReplication"], exclude: ["README.md"]),
        .target(
            name: "OZGSyncClient",
            dependencies: [
                "OZGReplication", "OZGWire",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "SyncServerCore",
            dependencies: [
                "OZGStorage", "OZGReplication", "OZGWire", "OZGSyncClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["README.md"]
        ),
        // The state office's web view: knows the domain, plugs into the schema-agnostic server core.
        .target(
            name: "StateOfficeWeb",
            dependencies: [
                "SyncServerCore", "OZGDomain", "OZGReplication", "OZGStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "SyncServer",
            dependencies: [
                "SyncServerCore", "StateOfficeWeb", "OZGDomain", "OZGReplication",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "OZGShell",
            dependencies: ["OZGStorage", "OZGReplication", "OZGDomain", "OZGSyncClient"],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "ozg-shell",
            dependencies: [
                "OZGShell", "OZGDomain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ozg-bench",
            dependencies: [
                "OZGReplication", "OZGWire", "OZGDomain", "OZGSyncClient", "CSQLite", "SyncServerCore",
                "StateOfficeWeb",
            ]
        ),
        .testTarget(
            name: "OZGSyncTests",
            dependencies: [
                "OZGStorage", "OZGReplication", "OZGWire", "OZGDomain", "OZGSyncClient", "SyncServerCore",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "OZGShellTests",
            dependencies: ["OZGShell", "OZGDomain", "OZGReplication", "SyncServerCore"]
        ),
        .testTarget(
            name: "SyncServerTests",
            dependencies: [
                "SyncServerCore", "StateOfficeWeb", "OZGStorage", "OZGReplication", "OZGWire", "OZGDomain",
                "OZGSyncClient",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
