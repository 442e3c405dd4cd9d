import Foundation
import OZGReplication
import PostgresNIO

/// Labs, tokens, device bindings and web logins in PostgreSQL: what `SQLiteRegistry` keeps in
/// `server.sqlite`, shared by every server instance on the database.
public struct PostgresRegistry: Registry {
    let database: PostgresServerDatabase

    public init(database: PostgresServerDatabase) {
        self.database = database
    }

    /// A new lab gets the site id its server-side replica writes conflicts under (as a new lab file would).
    public func createLab(_ id: String, title: String?) async throws {
        try RegistryRules.checkNewLab(id)
        let site = ByteBuffer(bytes: SiteID.random().bytes)
        let created = try await database.query(
            """
            INSERT INTO ozg_lab(lab, title, created, site) VALUES (\(id), \(title), \(RegistryRules.now()), \(site))
            ON CONFLICT (lab) DO NOTHING RETURNING lab
            """)
        guard !created.isEmpty else { throw RegistryRules.labTaken(id) }
    }

    public func labExists(_ id: String) async throws -> Bool {
        try await !database.query("SELECT 1 FROM ozg_lab WHERE lab = \(id)").isEmpty
    }

    public func labs() async throws -> [(id: String, title: String?)] {
        try await database.query("SELECT lab, title FROM ozg_lab ORDER BY lab").map { row in
            let (id, title) = try row.decode((String, String?).self)
            return (id, title)
        }
    }

    public func createToken(labs: [String], role: Role, name: String) async throws -> String {
        let (id, secret) = try await RegistryRules.newToken(labs: labs, name: name, exists: labExists)
        try await database.query(
            """
            INSERT INTO ozg_token(id, hash, name, rolle, labore, angelegt)
            VALUES (\(id), \(RegistryRules.hash(secret)), \(name), \(role.rawValue), \(labs.joined(separator: ",")),
                \(RegistryRules.now()))
            """)
        return "olt_\(id)_\(secret)"
    }

    static func tokenRecord(_ row: PostgresRow) throws -> TokenRecord {
        let (id, name, role, labs, created, revoked) = try row.decode(
            (String, String, String, String, String, String?).self)
        return TokenRecord(
            id: id, name: name, role: Role(rawValue: role) ?? .lesen, labs: labs.split(separator: ",").map(String.init),
            created: created, revoked: revoked)
    }

    public func tokens() async throws -> [TokenRecord] {
        try await database.query(
            "SELECT id, name, rolle, labore, angelegt, widerrufen FROM ozg_token ORDER BY angelegt, id"
        ).map(Self.tokenRecord)
    }

    public func revokeToken(_ id: String) async throws {
        let revoked = try await database.query(
            "UPDATE ozg_token SET widerrufen = COALESCE(widerrufen, \(RegistryRules.now())) WHERE id = \(id) RETURNING id"
        )
        guard !revoked.isEmpty else { throw RegistryRules.unknownToken(id) }
    }

    public func activeToken(id: String) async throws -> TokenRecord? {
        try await database.query(
            """
            SELECT id, name, rolle, labore, angelegt, widerrufen FROM ozg_token WHERE id = \(id) AND widerrufen IS NULL
            """
        ).first.map(Self.tokenRecord)
    }

    public func recordLogin(address: String, tokenID: String?, outcome: String) async throws {
        try await database.query(
            """
            INSERT INTO ozg_web_login(zeit, adresse, token_id, ergebnis)
            VALUES (\(RegistryRules.now()), \(address), \(tokenID), \(outcome))
            """)
        try await database.query(
            "DELETE FROM ozg_web_login WHERE seq <= (SELECT MAX(seq) FROM ozg_web_login) - 100000")
    }

    public func loginAudit(limit: Int) async throws -> [(
        time: String, address: String, tokenID: String?, outcome: String
    )] {
        try await database.query(
            "SELECT zeit, adresse, token_id, ergebnis FROM ozg_web_login ORDER BY seq DESC LIMIT \(limit)"
        ).map { row in
            let (time, address, tokenID, outcome) = try row.decode((String, String, String?, String).self)
            return (time, address, tokenID, outcome)
        }
    }

    public func authenticate(_ presented: String) async throws -> TokenRecord? {
        guard let id = RegistryRules.tokenID(of: presented) else { return nil }
        guard
            let row = try await database.query(
                "SELECT id, name, rolle, labore, angelegt, widerrufen, hash FROM ozg_token WHERE id = \(id)"
            ).first
        else { return nil }
        let record = try Self.tokenRecord(row)
        let hash = try row.decode((String, String, String, String, String, String?, String).self).6
        guard RegistryRules.matches(presented, hash: hash), record.revoked == nil else { return nil }
        return record
    }

    /// In one transaction, so that two instances binding the same device at once cannot both win.
    public func bindDevice(_ site: SiteID, lab: LabID, to token: TokenRecord, limit: Int) async throws
        -> DeviceBindingRefusal?
    {
        let owner = try await database.query(
            """
            SELECT g.token_id, t.widerrufen IS NOT NULL FROM ozg_token_device g LEFT JOIN ozg_token t ON t.id = g.token_id
            WHERE g.lab = \(lab.rawValue) AND g.geraet = \(site.hex)
            """
        ).first.map { try $0.decode((String, Bool?).self) }
        if let owner, owner.0 == token.id { return nil }
        if let owner, owner.1 != true { return .boundToOtherToken }
        if let refusal = RegistryRules.bindingRefusal(site: site, bound: try await devices(of: token.id), limit: limit)
        {
            return refusal
        }
        // Taken only if still free (or still held by the revoked token seen above).
        let previous = owner?.0 ?? ""
        let bound = try await database.query(
            """
            INSERT INTO ozg_token_device(lab, geraet, token_id, erstmals)
            VALUES (\(lab.rawValue), \(site.hex), \(token.id), \(RegistryRules.now()))
            ON CONFLICT (lab, geraet) DO UPDATE SET token_id = excluded.token_id, erstmals = excluded.erstmals
            WHERE ozg_token_device.token_id IN (\(previous), \(token.id)) RETURNING token_id
            """)
        return bound.isEmpty ? .boundToOtherToken : nil
    }

    public func devices(of tokenID: String) async throws -> [String] {
        try await database.query(
            """
            SELECT geraet FROM ozg_token_device WHERE token_id = \(tokenID) GROUP BY geraet ORDER BY min(erstmals), geraet
            """
        ).map { try $0.decode(String.self) }
    }
}
