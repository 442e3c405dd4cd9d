// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "OZGLaborSync",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "OZGSync", targets: ["OZGSync"]),
        .executable(name: "ozg-shell", targets: ["ozg-shell"]),
        .executable(name: "ozg-sync-server", targets: ["SyncServer"]),
        .executable(name: "ozg-bench", targets: ["ozg-bench"]),
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
        .executableTarget(
            name: "ozg-shell",
            dependencies: ["OZGSync"]
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
            name: "SyncServerTests",
            dependencies: ["OZGSync"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
