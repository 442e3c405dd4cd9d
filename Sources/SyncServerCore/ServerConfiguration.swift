import Foundation

/// What `ozg-sync-server serve` is started with.
public struct ServerConfiguration: Sendable {
    /// Holds `server.sqlite` (labs, tokens) and one `labor-<id>.ozg` file per lab.
    public var dataDirectory: String
    public var host = "127.0.0.1"
    /// 0 lets the OS choose (tests).
    public var port = 8080
    /// How far ahead of the server's clock a pushed change may lie.
    public var maxDriftMilliseconds: UInt64 = 600_000
    /// Largest accepted request body (compressed), bytes.
    public var maxBodyBytes = 32 << 20
    /// Largest accepted request body after inflating, bytes.
    public var maxInflatedBytes = 256 << 20
    /// Most changes one request may push.
    public var maxChangesPerRequest = 200_000
    /// Rows per pulled page.
    public var pageRows = 5000
    /// PEM certificate chain and private key; with both, the server speaks HTTPS only.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }
}
