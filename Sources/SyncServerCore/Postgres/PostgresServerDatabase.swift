import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ServiceLifecycle

/// The server's state in PostgreSQL (`serve --postgres URL`, docs/OPERATIONS.md, „PostgreSQL“):
/// labs, tokens, device bindings, web logins, and per lab its site and table registries, change log,
/// rows, audit log and device positions. Every lab table is keyed by lab first, and each push is a
/// transaction on one lab, so the schema fits engines that distribute by lab.
///
/// The client pool runs as long as `run()` does (a ServiceLifecycle service of the application);
/// the schema is created or upgraded on first use.
public final class PostgresServerDatabase: Sendable {
    public let client: PostgresClient
    let logger: Logger
    /// The URL without its password, for messages.
    public let displayURL: String
    /// The PostgreSQL schema the tables live in (nil: the database's default, `public`).
    let schemaName: String?
    let metrics: ServerMetrics?
    private let schema = SchemaGate()

    /// `url`: `postgres://USER[:PASSWORT]@HOST[:PORT]/DATENBANK[?sslmode=disable|prefer|require][&schema=NAME]`;
    /// without a password in the URL, `PGPASSWORD` from the environment is used. With `schema` the
    /// server's tables live in that PostgreSQL schema (created when missing), so several services can
    /// share one database.
    public convenience init(url: String, maxConnections: Int = 20, logger: Logger = Logger(label: "ozg-postgres"))
        throws
    {
        try self.init(url: url, maxConnections: maxConnections, logger: logger, metrics: nil)
    }

    /// With `metrics`, every operation is counted for `GET /metrics` (`ozg_db_…`).
    init(url: String, maxConnections: Int, logger: Logger, metrics: ServerMetrics?) throws {
        self.metrics = metrics
        metrics?.databaseConnectionsMax.set(to: Double(maxConnections))
        var (configuration, schemaName) = try Self.configuration(url)
        configuration.options.maximumConnections = maxConnections
        configuration.options.connectTimeout = .seconds(5)
        if let schemaName { configuration.options.additionalStartupParameters = [("search_path", schemaName)] }
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.schemaName = schemaName
        self.logger = logger
        displayURL = Self.redacted(url)
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Runs `body` with a database whose pool runs only meanwhile (the admin commands, tests).
    public static func with<T: Sendable>(
        url: String, _ body: @Sendable (PostgresServerDatabase) async throws -> T
    ) async throws -> T {
        let database = try PostgresServerDatabase(url: url, maxConnections: 4)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Connects once and creates or upgrades the schema; a database that cannot be reached, or one a
    /// newer program upgraded, is refused with a German message.
    public static func prepare(url: String) async throws {
        try await with(url: url) { database in
            do {
                try await database.prepared()
            } catch let error as AdminError {
                throw error
            } catch {
                throw AdminError(
                    "PostgreSQL unter \(database.displayURL) ist nicht erreichbar oder verweigert den Zugriff: "
                        + "\(String(reflecting: error))")
            }
        }
    }

    static func configuration(_ url: String) throws -> (PostgresClient.Configuration, schema: String?) {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty,
            let user = components.user, !user.isEmpty
        else {
            throw AdminError(
                "Ungültige PostgreSQL-Adresse „\(redacted(url))“: erwartet wird "
                    + "postgres://BENUTZER[:PASSWORT]@HOST[:PORT]/DATENBANK[?sslmode=disable|prefer|require].")
        }
        let database = String(components.path.dropFirst())
        let password = components.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let schema = components.queryItems?.first { $0.name == "schema" }?.value
        if let schema {
            guard let first = schema.unicodeScalars.first, ("a"..."z").contains(first) || first == "_",
                schema.count <= 63,
                schema.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
            else {
                throw AdminError(
                    "Ungültiges Schema „\(schema)“ in der PostgreSQL-Adresse: erlaubt sind 1–63 Zeichen a–z, 0–9 und _, "
                        + "am Anfang keine Ziffer.")
            }
        }
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default:
            throw AdminError("Unbekannter sslmode „\(mode)“; erlaubt sind disable, prefer und require.")
        }
        return (
            PostgresClient.Configuration(
                host: host, port: components.port ?? 5432, username: user, password: password,
                database: database.isEmpty ? user : database, tls: tls),
            schema
        )
    }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    // MARK: - Schema

    /// The schema's version; `ozg_schema` records the one the database has.
    static let schemaVersion = 1

    static let schemaSQL = [
        "CREATE TABLE IF NOT EXISTS ozg_schema(version integer NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS ozg_lab(
            lab text PRIMARY KEY, title text, created text NOT NULL, site bytea NOT NULL,
            head bigint NOT NULL DEFAULT 0, version bigint NOT NULL DEFAULT 0)
        """,
        """
        CREATE TABLE IF NOT EXISTS ozg_lab_site(
            lab text NOT NULL, idx bigint NOT NULL, site bytea NOT NULL, PRIMARY KEY(lab, idx))
        """,
        """
        CREATE TABLE IF NOT EXISTS ozg_lab_table(
            lab text NOT NULL, idx bigint NOT NULL, name text NOT NULL, columns text NOT NULL, PRIMARY KEY(lab, idx))
        """,
        """
        CREATE TABLE IF NOT EXISTS ozg_log(
            lab text NOT NULL, seq bigint NOT NULL, tbl bigint NOT NULL, kind smallint NOT NULL, origin smallint NOT NULL,
            entries bytea NOT NULL, PRIMARY KEY(lab, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS ozg_row(
            lab text NOT NULL, tbl bigint NOT NULL, id text NOT NULL, visible boolean NOT NULL, vals bytea NOT NULL,
            meta bytea NOT NULL, seq bigint NOT NULL, PRIMARY KEY(lab, tbl, id))
        """,
        "CREATE INDEX IF NOT EXISTS ozg_row_seq ON ozg_row(lab, seq)",
        """
        CREATE TABLE IF NOT EXISTS ozg_audit(
            lab text NOT NULL, seq bigint GENERATED ALWAYS AS IDENTITY, zeit text NOT NULL, token_id text NOT NULL,
            token_name text NOT NULL, geraet text NOT NULL, aenderungen bigint NOT NULL, zeilen bigint NOT NULL,
            weitergeleitet_fuer text NOT NULL, PRIMARY KEY(lab, seq))
        """,
        """
        CREATE TABLE IF NOT EXISTS ozg_peer(
            lab text NOT NULL, site bytea NOT NULL, cursor bigint NOT NULL, seen_ms bigint NOT NULL, PRIMARY KEY(lab, site))
        """,
        """
        CREATE TABLE IF NOT EXISTS ozg_token(
            id text PRIMARY KEY, hash text NOT NULL, name text NOT NULL, rolle text NOT NULL, labore text NOT NULL,
            angelegt text NOT NULL, widerrufen text)
        """,
        """
        CREATE TABLE IF NOT EXISTS ozg_token_device(
            lab text NOT NULL, geraet text NOT NULL, token_id text NOT NULL, erstmals text NOT NULL,
            PRIMARY KEY(lab, geraet))
        """,
        "CREATE INDEX IF NOT EXISTS ozg_token_device_token ON ozg_token_device(token_id)",
        """
        CREATE TABLE IF NOT EXISTS ozg_web_login(
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, zeit text NOT NULL, adresse text NOT NULL,
            token_id text, ergebnis text NOT NULL)
        """,
    ]

    /// Creates the schema when missing (once per process; several instances starting at once may race,
    /// so a failed attempt is retried), and refuses a database a newer program has upgraded.
    func prepared() async throws {
        try await schema.once {
            var attempt = 0
            while true {
                do {
                    try await self.createSchema()
                    return
                } catch let error as AdminError {
                    throw error
                } catch {
                    attempt += 1
                    if attempt >= 3 { throw error }
                    try await Task.sleep(for: .milliseconds(200 * attempt))
                }
            }
        }
    }

    /// A database already at this schema is left as it is, so the service's role needs no right to
    /// create anything (docs/OPERATIONS.md, „PostgreSQL“).
    private func createSchema() async throws {
        try await client.withTransaction(logger: logger) { connection in
            let present = try await connection.rows(
                "SELECT to_regclass('ozg_schema') IS NOT NULL", logger: logger
            ).first?.decode(Bool.self)
            var version: Int?
            if present == true {
                version = try await connection.rows("SELECT max(version) FROM ozg_schema", logger: logger).first?
                    .decode(Int?.self)
            }
            if let version, version > Self.schemaVersion {
                throw AdminError(
                    "Die Datenbank hat Schemaversion \(version), dieses Programm kennt nur bis \(Self.schemaVersion). "
                        + "Bitte OZG Labor-Sync aktualisieren.")
            }
            guard version != Self.schemaVersion else { return }
            if let schemaName {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schemaName)"), logger: logger)
            }
            for statement in Self.schemaSQL {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("DELETE FROM ozg_schema", logger: logger)
            try await connection.query(
                "INSERT INTO ozg_schema(version) VALUES (\(Self.schemaVersion))", logger: logger)
        }
    }

    /// Runs `body` in a transaction; the error `body` threw comes out as it is.
    func transaction<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        try await prepared()
        let started = ContinuousClock.now
        metrics?.databaseInFlight.increment()
        defer { metrics?.databaseInFlight.decrement() }
        do {
            return try await client.withTransaction(logger: logger, isolation: isolation) { connection in
                metrics?.databaseWait.record(ContinuousClock.now - started)
                return try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            let cause = error.closureError ?? error
            if cause is PSQLError || cause is PostgresTransactionError { metrics?.databaseErrors.increment() }
            throw cause
        } catch {
            metrics?.databaseErrors.increment()
            throw error
        }
    }

    /// Runs `body` on one pooled connection.
    private func connection<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        try await prepared()
        let started = ContinuousClock.now
        metrics?.databaseInFlight.increment()
        defer { metrics?.databaseInFlight.decrement() }
        do {
            return try await client.withConnection(isolation: isolation) { connection in
                metrics?.databaseWait.record(ContinuousClock.now - started)
                return try await body(connection)
            }
        } catch {
            if error is PSQLError { metrics?.databaseErrors.increment() }
            throw error
        }
    }

    /// Runs `body` in a read-only transaction that sees one snapshot of the database.
    func snapshot<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (PostgresConnection) async throws -> sending T
    ) async throws -> sending T {
        try await connection(isolation: isolation) { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Runs one statement outside a transaction and collects its rows.
    @discardableResult
    func query(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection { connection in try await connection.rows(query, logger: logger) }
    }
}

/// Lets the first caller run a piece of work and everyone else wait for its outcome; a failure lets
/// the next caller try again.
private actor SchemaGate {
    private var done = false
    private var running: Task<Void, Error>?

    func once(_ work: @escaping @Sendable () async throws -> Void) async throws {
        if done { return }
        if let running { return try await running.value }
        let task = Task { try await work() }
        running = task
        do {
            try await task.value
            done = true
            running = nil
        } catch {
            running = nil
            throw error
        }
    }
}

extension PostgresConnection {
    /// Collects the rows of one statement.
    @discardableResult
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in try await self.query(query, logger: logger) { rows.append(row) }
        return rows
    }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(readableBytesView) }
}

extension PostgresServerDatabase: Service {}
