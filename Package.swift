// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "OZGLaborSync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "OZGSync", targets: ["OZGSync"]),
        .library(name: "OZGShell", targets: ["OZGShell"]),
        .executable(name: "ozg-shell", targets: ["ozg-shell"]),
        .executable(name: "ozg-sync-server", targets: ["SyncServer"]),
        .executable(name: "ozg-bench", targets: ["ozg-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
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
        .target(
            name: "OZGSync",
            dependencies: ["CSQLite", "CZlib"]
        ),
        .executableTarget(
            name: "SyncServer",
            dependencies: ["OZGSync"]
        ),
        .target(
            name: "OZGShell",
            dependencies: ["OZGSync"]
        ),
        .executableTarget(
            name: "ozg-shell",
            dependencies: [
                "OZGShell",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "ozg-bench",
            dependencies: ["OZGSync", "CSQLite"]
        ),
        .testTarget(
            name: "OZGSyncTests",
            dependencies: ["OZGSync"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "OZGShellTests",
            dependencies: ["OZGShell"]
        ),
        .testTarget(
            name: "SyncServerTests",
            dependencies: ["OZGSync"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
