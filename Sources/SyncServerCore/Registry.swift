import Crypto
import Foundation
import OZGReplication
import OZGStorage

/// A token's rights: which labs, which role.
///
/// `hub` writes like `schreiben` and may also relay changes other devices wrote (the workshop hub);
/// every other token pushes only what its own devices wrote (docs/PROTOCOL.md, „Zuordnung“).
public enum Role: String, Sendable, CaseIterable, Comparable {
    case lesen
    case schreiben
    case hub
    case admin

    var rank: Int { Role.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A stored token (never the secret itself).
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: Role
    public var labs: [String]
    public var created: String
    public var revoked: String?
}

/// Labs, tokens, device bindings and web logins: what the server and the admin commands share, kept
/// in the data directory (`SQLiteRegistry`) or in PostgreSQL (`PostgresRegistry`).
///
/// Tokens look like `olt_<id>_<secret>`; only SHA-256 of the secret is stored, so the store never
/// reveals a usable token.
public protocol Registry: Sendable {
    /// Registers a lab; fails when the id is invalid or taken.
    func createLab(_ id: String, title: String?) async throws
    func labExists(_ id: String) async throws -> Bool
    func labs() async throws -> [(id: String, title: String?)]
    /// Creates a token and returns it; it is shown only this once.
    func createToken(labs: [String], role: Role, name: String) async throws -> String
    func tokens() async throws -> [TokenRecord]
    func revokeToken(_ id: String) async throws
    /// The unrevoked token with id `id`, or nil (a web session re-checks its token on every request).
    func activeToken(id: String) async throws -> TokenRecord?
    /// Records a login attempt of the web view: when, from which address, with which token (if the
    /// presented text named one), and the outcome (`angemeldet`, `abgelehnt`, `gesperrt`). Keeps the
    /// newest 100,000 entries.
    func recordLogin(address: String, tokenID: String?, outcome: String) async throws
    /// The newest login attempts, newest first: (time, address, token id, outcome).
    func loginAudit(limit: Int) async throws -> [(time: String, address: String, tokenID: String?, outcome: String)]
    /// The valid, unrevoked token for `presented`, or nil (hashes compared in constant time).
    func authenticate(_ presented: String) async throws -> TokenRecord?
    /// Binds `site` to `token` in `lab` at its first request there; afterwards only that token may
    /// speak for the device in this lab, so nobody can push under another person's device id. A
    /// device of a revoked token may move to a new one; one device may use different tokens for
    /// different labs.
    func bindDevice(_ site: SiteID, lab: LabID, to token: TokenRecord, limit: Int) async throws
        -> DeviceBindingRefusal?
    /// The devices (site ids in hex) bound to a token, oldest first.
    func devices(of tokenID: String) async throws -> [String]
}

/// What both registries decide the same way.
enum RegistryRules {
    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func checkNewLab(_ id: String) throws {
        guard LabID(id) != nil else { throw AdminError("Ungültige Labor-ID „\(id)“: \(LabID.rule).") }
    }

    static func labTaken(_ id: String) -> AdminError { AdminError("Das Labor „\(id)“ gibt es schon.") }

    /// Checks a new token's labs (against `exists`) and name; returns its id and secret.
    static func newToken(labs: [String], name: String, exists: (String) async throws -> Bool) async throws
        -> (id: String, secret: String)
    {
        guard !labs.isEmpty else { throw AdminError("Mindestens ein Labor angeben (--labor a,b).") }
        for lab in labs where !(try await exists(lab)) {
            throw AdminError("Das Labor „\(lab)“ gibt es nicht; erst „ozg-sync-server labor create \(lab)“ ausführen.")
        }
        guard !name.isEmpty else { throw AdminError("Ein Name für das Token ist nötig (--name).") }
        return (randomHex(6), randomHex(24))
    }

    static func unknownToken(_ id: String) -> AdminError {
        AdminError("Kein Token mit der ID „\(id)“; „token list“ zeigt die IDs.")
    }

    /// The token id a presented token names, when it has the token's shape.
    static func tokenID(of presented: String) -> String? {
        let parts = presented.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "olt", parts[1].count == 12, parts[2].count == 48 else { return nil }
        return String(parts[1])
    }

    /// Whether `presented`'s secret has the stored hash, compared in constant time.
    static func matches(_ presented: String, hash: String) -> Bool {
        guard let secret = presented.split(separator: "_", omittingEmptySubsequences: false).last else { return false }
        let expected = Array(hash.utf8)
        let actual = Array(Self.hash(String(secret)).utf8)
        guard expected.count == actual.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, actual) { difference |= a ^ b }
        return difference == 0
    }

    /// Whether a token already bound to `bound` may take one more device.
    static func bindingRefusal(site: SiteID, bound: [String], limit: Int) -> DeviceBindingRefusal? {
        bound.contains(site.hex) || bound.count < limit ? nil : .tooManyDevices(limit: limit)
    }
}

/// The registry of one data directory (`server.sqlite`). Like a lab store, it runs its SQLite work on
/// a queue of its own.
public actor SQLiteRegistry: Registry {

    let database: Database
    private let executor = QueueExecutor(label: "ozg-registry")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    public init(dataDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        database = try Database(path: dataDirectory + "/server.sqlite")
        try database.execute(
            """
            CREATE TABLE IF NOT EXISTS labor(id TEXT PRIMARY KEY, titel TEXT, angelegt TEXT NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS token(
                id TEXT PRIMARY KEY, hash TEXT NOT NULL, name TEXT NOT NULL, rolle TEXT NOT NULL, labore TEXT NOT NULL,
                angelegt TEXT NOT NULL, widerrufen TEXT) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS web_anmeldung(
                seq INTEGER PRIMARY KEY, zeit TEXT NOT NULL, adresse TEXT NOT NULL, token_id TEXT, ergebnis TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS token_geraet(
                labor TEXT NOT NULL, geraet TEXT NOT NULL, token_id TEXT NOT NULL, erstmals TEXT NOT NULL,
                PRIMARY KEY(labor, geraet)) WITHOUT ROWID;
            """)
    }

    public func createLab(_ id: String, title: String?) throws {
        try RegistryRules.checkNewLab(id)
        guard try database.firstRow("SELECT 1 FROM labor WHERE id = ?", [.text(id)], { _ in true }) == nil else {
            throw RegistryRules.labTaken(id)
        }
        try database.execute(
            "INSERT INTO labor(id, titel, angelegt) VALUES (?, ?, ?)",
            [.text(id), title.map { .text($0) } ?? .null, .text(RegistryRules.now())])
    }

    public func labExists(_ id: String) throws -> Bool {
        try database.firstRow("SELECT 1 FROM labor WHERE id = ?", [.text(id)], { _ in true }) != nil
    }

    public func labs() throws -> [(id: String, title: String?)] {
        try database.rows("SELECT id, titel FROM labor ORDER BY id") { ($0.text(0) ?? "", $0.text(1)) }
    }

    public func createToken(labs: [String], role: Role, name: String) async throws -> String {
        let (id, secret) = try await RegistryRules.newToken(labs: labs, name: name, exists: labExists)
        try database.execute(
            """
            INSERT INTO token(id, hash, name, rolle, labore, angelegt) VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                .text(id), .text(RegistryRules.hash(secret)), .text(name), .text(role.rawValue),
                .text(labs.joined(separator: ",")), .text(RegistryRules.now()),
            ])
        return "olt_\(id)_\(secret)"
    }

    public func tokens() throws -> [TokenRecord] {
        try database.rows("SELECT \(Self.tokenColumns) FROM token ORDER BY angelegt, id", [], Self.tokenRecord)
    }

    public func revokeToken(_ id: String) throws {
        guard try database.firstRow("SELECT 1 FROM token WHERE id = ?", [.text(id)], { _ in true }) != nil else {
            throw RegistryRules.unknownToken(id)
        }
        try database.execute(
            "UPDATE token SET widerrufen = COALESCE(widerrufen, ?) WHERE id = ?",
            [.text(RegistryRules.now()), .text(id)])
    }

    /// The columns `tokenRecord` reads, in its order.
    static let tokenColumnNames = ["id", "name", "rolle", "labore", "angelegt", "widerrufen"]
    static let tokenColumns = tokenColumnNames.joined(separator: ", ")

    /// A token row (selected with `tokenColumns` first) as a record.
    static func tokenRecord(_ row: Row) -> TokenRecord {
        TokenRecord(
            id: row.text(0) ?? "", name: row.text(1) ?? "", role: Role(rawValue: row.text(2) ?? "") ?? .lesen,
            labs: (row.text(3) ?? "").split(separator: ",").map(String.init), created: row.text(4) ?? "",
            revoked: row.text(5))
    }

    public func activeToken(id: String) throws -> TokenRecord? {
        try database.firstRow(
            "SELECT \(Self.tokenColumns) FROM token WHERE id = ? AND widerrufen IS NULL", [.text(id)], Self.tokenRecord)
    }

    public func recordLogin(address: String, tokenID: String?, outcome: String) throws {
        try database.execute(
            "INSERT INTO web_anmeldung(zeit, adresse, token_id, ergebnis) VALUES (?, ?, ?, ?)",
            [.text(RegistryRules.now()), .text(address), tokenID.map(DatabaseValue.text) ?? .null, .text(outcome)])
        try database.execute("DELETE FROM web_anmeldung WHERE seq <= (SELECT MAX(seq) FROM web_anmeldung) - 100000")
    }

    public func loginAudit(limit: Int) throws -> [(time: String, address: String, tokenID: String?, outcome: String)] {
        try database.rows(
            "SELECT zeit, adresse, token_id, ergebnis FROM web_anmeldung ORDER BY seq DESC LIMIT ?",
            [.integer(Int64(limit))]
        ) { (time: $0.text(0) ?? "", address: $0.text(1) ?? "", tokenID: $0.text(2), outcome: $0.text(3) ?? "") }
    }

    public func authenticate(_ presented: String) throws -> TokenRecord? {
        guard let id = RegistryRules.tokenID(of: presented) else { return nil }
        // The hash comes last, after the record's columns, so the one row mapping reads both queries.
        guard
            let (record, hash) = try database.firstRow(
                "SELECT \(Self.tokenColumns), hash FROM token WHERE id = ?", [.text(id)],
                { row in (Self.tokenRecord(row), row.text(Self.tokenColumnNames.count) ?? "") })
        else { return nil }
        guard RegistryRules.matches(presented, hash: hash), record.revoked == nil else { return nil }
        return record
    }
}

/// Why a device may not use a token.
public enum DeviceBindingRefusal: Error, Sendable, Equatable {
    /// The token is already bound to this many devices.
    case tooManyDevices(limit: Int)
    /// The device belongs to another valid token.
    case boundToOtherToken
}

extension SQLiteRegistry {
    public func bindDevice(_ site: SiteID, lab: LabID, to token: TokenRecord, limit: Int) throws
        -> DeviceBindingRefusal?
    {
        let owner = try database.firstRow(
            """
            SELECT g.token_id, t.widerrufen FROM token_geraet g LEFT JOIN token t ON t.id = g.token_id
            WHERE g.labor = ? AND g.geraet = ?
            """, [.text(lab.rawValue), .text(site.hex)]
        ) { row in (row.text(0) ?? "", revoked: row.text(1) != nil) }
        if let owner, owner.0 == token.id { return nil }
        if let owner, !owner.revoked { return .boundToOtherToken }
        if let refusal = RegistryRules.bindingRefusal(site: site, bound: try devices(of: token.id), limit: limit) {
            return refusal
        }
        try database.execute(
            "INSERT OR REPLACE INTO token_geraet(labor, geraet, token_id, erstmals) VALUES (?, ?, ?, ?)",
            [.text(lab.rawValue), .text(site.hex), .text(token.id), .text(RegistryRules.now())])
        return nil
    }

    public func devices(of tokenID: String) throws -> [String] {
        try database.rows(
            "SELECT geraet FROM token_geraet WHERE token_id = ? GROUP BY geraet ORDER BY min(erstmals), geraet",
            [.text(tokenID)]
        ) { $0.text(0) ?? "" }
    }
}

/// An admin command could not be carried out.
public struct AdminError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
