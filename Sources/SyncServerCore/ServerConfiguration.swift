import Foundation
import OZGReplication

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
    /// Bytes of text and blob values per pulled page (whole log groups, so a page may exceed it by one group).
    public var pageBytes = 16 << 20
    /// Seconds a connection may stay without a request part (also the time to send a request's headers).
    public var idleTimeoutSeconds = 30
    /// Open connections; further ones are closed at once.
    public var maxConnections = 512
    /// Lab files open at once; the least recently used idle one is closed first.
    public var maxOpenLabs = 256
    /// Seconds after which an unused lab file is closed.
    public var labIdleSeconds = 300
    /// Tables and columns every lab file gets before any push (the domain's declared schema, passed by
    /// the server program), so that columns peers push can never crowd a declared one out.
    public var reservedTables: [ReplicatedTable] = []
    /// How far pushes may grow a lab's schema beyond `reservedTables`.
    public var schemaGrowthLimit = SchemaGrowthLimit(tables: 8, columnsPerTable: 8)
    /// Devices (site ids) one token may be bound to; a device is bound at its first request.
    public var maxDevicesPerToken = 8
    /// How often the live channel checks its clients' tokens (a revoked token loses its live
    /// connections within this time).
    public var liveTokenCheckInterval: Duration = .seconds(30)
    /// Makes this server a workshop hub that relays its labs to an upstream server (`UpstreamRelay`).
    public var upstream: UpstreamConfiguration?
    /// Largest request body, inflated, of a token that may only read (its requests carry no changes).
    public var maxReadOnlyRequestBytes = 4096
    /// PEM certificate chain and private key; with both, the server speaks HTTPS only.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Keeps labs, tokens and audit in PostgreSQL (docs/OPERATIONS.md, „PostgreSQL“); `dataDirectory`
    /// then holds only this instance's mirrors of the labs.
    public var postgresURL: String?
    /// Connections this instance keeps to PostgreSQL at most.
    public var postgresConnections = 20
    /// How often an instance on PostgreSQL looks for pushes through other instances to the labs its live
    /// clients follow (NOTIFY usually tells it at once).
    public var postgresLivePollInterval: Duration = .seconds(2)

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }
}
