import Hummingbird
import OZGReplication

/// A part of the server outside the sync core (the state office's web view) that adds routes to the
/// application. The core stays schema-agnostic: a module may know the domain, the core never does.
///
/// ```swift
/// struct Web: ServerModule {
///     func addRoutes(to router: Router<SyncRequestContext>, server: ServerAccess) {
///         router.get("/") { _, _ in "Hallo" }
///     }
/// }
/// let app = try buildApplication(configuration, modules: [Web()])
/// ```
public protocol ServerModule: Sendable {
    func addRoutes(to router: Router<SyncRequestContext>, server: ServerAccess)
}

/// What a module may use of the running server: the registry of labs and tokens, its configuration,
/// and read-only access to a lab's replica.
public struct ServerAccess: Sendable {
    public let configuration: ServerConfiguration
    public let registry: any Registry
    let labs: LabDirectory

    /// Runs `body` with lab `lab`'s replica on the lab store's own queue, between pushes; `body` may
    /// only read (the replica's `read` refuses writes). The lab must exist in the registry.
    public func read<T: Sendable>(lab: LabID, _ body: @escaping @Sendable (Replica) throws -> T) async throws -> T {
        let store = try await labs.checkOut(lab)
        do {
            let result = try await store.read(body)
            await labs.checkIn(lab)
            return result
        } catch {
            await labs.checkIn(lab)
            throw error
        }
    }

    /// Per token and device its latest accepted push, newest first (for use inside `read(lab:)`).
    public static func lastPushPerDevice(in replica: Replica, limit: Int = 50) throws -> [AuditEntry] {
        try replica.read { db in
            try db.rows(
                """
                SELECT MAX(zeit), token_name, geraet, 0 FROM _ozg_audit
                GROUP BY token_name, geraet ORDER BY 1 DESC LIMIT ?
                """, [.integer(Int64(limit))]
            ) { row in
                AuditEntry(time: row.text(0) ?? "", tokenName: row.text(1) ?? "", device: row.text(2) ?? "", changes: 0)
            }
        }
    }

    /// The lab's audit log (accepted pushes), newest first, at most `limit` entries.
    public func audit(lab: LabID, limit: Int) async throws -> [AuditEntry] {
        try await read(lab: lab) { replica in
            try replica.read { db in
                try db.rows(
                    "SELECT zeit, token_name, geraet, aenderungen FROM _ozg_audit ORDER BY seq DESC LIMIT ?",
                    [.integer(Int64(limit))]
                ) { row in
                    AuditEntry(
                        time: row.text(0) ?? "", tokenName: row.text(1) ?? "", device: row.text(2) ?? "",
                        changes: Int(row.int64(3)))
                }
            }
        }
    }
}

/// One accepted push in a lab's audit log.
public struct AuditEntry: Sendable, Equatable {
    public let time: String
    public let tokenName: String
    /// The device's site id (hex).
    public let device: String
    public let changes: Int
}

extension LabReplicaStore {
    func read<T: Sendable>(_ body: @escaping @Sendable (Replica) throws -> T) throws -> T {
        try body(replica)
    }
}
