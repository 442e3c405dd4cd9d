import OZGStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local replica: one SQLite file holding the domain tables, their replication metadata,
/// the change log (history and push queue), remote cursors and the site id.
///
/// Every write goes through this type and commits at once with its metadata (local-first).
/// A `Replica` is not `Sendable`; its owner uses it from one task at a time.
///
/// ```swift
/// let schema = ReplicaSchema(version: 1, tables: [ReplicatedTable("persona", columns: [.init("name")])])
/// let replica = try Replica(path: "/tmp/labor.ozg", schema: schema)
/// let id = try replica.insert(into: "persona", values: ["name": "Erika"])
/// try replica.update("persona", id: id, values: ["name": "Erika M."])
/// ```
public final class Replica {
    /// Tunables of a replica.
    public struct Configuration: Sendable {
        /// How far ahead of this machine's clock a merged change may lie.
        public var maxDriftMilliseconds: UInt64
        /// The wall clock; tests inject their own.
        public var wallClock: HybridLogicalClock.WallClock
        /// SQLite's page cache for this connection, in KiB (the file's hot b-tree pages stay in memory).
        public var cacheKibibytes: Int = 32 * 1024
        /// The site id a newly created file gets; nil draws a random one. Only seeded simulations set it.
        public var siteIDForNewFile: SiteID?
        /// Tables of this file only, never replicated (the server's audit log); written with `appendLocal`.
        public var localTables: [LocalTable]
        /// How far peers may grow the schema beyond `schema` (only with `apply(creatingUnknownTables:)`);
        /// nil means without bound.
        public var schemaGrowthLimit: SchemaGrowthLimit?

        public init(
            maxDriftMilliseconds: UInt64 = 600_000,
            wallClock: @escaping HybridLogicalClock.WallClock = HybridLogicalClock.systemMilliseconds,
            siteIDForNewFile: SiteID? = nil,
            localTables: [LocalTable] = []
        ) {
            self.maxDriftMilliseconds = maxDriftMilliseconds
            self.wallClock = wallClock
            self.siteIDForNewFile = siteIDForNewFile
            self.localTables = localTables
        }
    }

    /// The underlying connection, private to this layer: everything above reads through `read(_:)`
    /// and writes through the replica's API, so no write can bypass change capture.
    let database: Database
    /// This file's site id.
    public let siteID: SiteID
    public let schema: ReplicaSchema
    public let configuration: Configuration

    var clock: HybridLogicalClock
    var persistedHLC: UInt64
    var sites: [SiteID] = []
    var siteIndexes: [SiteID: UInt64] = [:]
    var tables: [String: TableState] = [:]
    var tablesByIndex: [Int64: TableState] = [:]
    var logGroup: LogGroup?
    var writeDepth = 0
    var writeFailed = false

    /// The pseudo-site that versions detected conflicts, so no real replica's echo filter hides them.
    public static let conflictSite = SiteID(high: 0, low: 0)

    /// Opens the replica at `path`, creating it (with a new site id) when missing, and migrates it to `schema`.
    public init(path: String, schema: ReplicaSchema, configuration: Configuration = Configuration()) throws {
        let database = try Database(path: path)
        self.database = database
        self.schema = schema
        self.configuration = configuration
        try database.execute("PRAGMA cache_size = -\(max(configuration.cacheKibibytes, 64))")
        try database.execute(Self.coreSQL + "\n" + Self.quarantineSQL + ";\n" + Self.compactionSQL)
        let stored = try Self.loadOrCreateIdentity(
            database, fileIdentity: Self.fileIdentity(path),
            newSite: configuration.siteIDForNewFile)
        siteID = stored.site
        persistedHLC = stored.hlc
        clock = HybridLogicalClock(last: stored.hlc, wallClock: configuration.wallClock)
        try loadSites()
        try createLocalTables()
        let migrated = try migrate()
        if migrated { try applyPendingChanges() }
    }

    /// Closes the file. Further use throws.
    public func close() {
        for table in tablesByIndex.values { table.releaseStatements() }
        logGroup = nil
        database.close()
    }

    static let coreSQL = """
        CREATE TABLE IF NOT EXISTS _ozg_state(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS _ozg_sites(idx INTEGER PRIMARY KEY, site BLOB NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS _ozg_tables(idx INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, columns TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS _ozg_log(
            seq INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, kind INTEGER NOT NULL, origin INTEGER NOT NULL,
            entries BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS _ozg_remote(
            name TEXT PRIMARY KEY, acked_seq INTEGER NOT NULL DEFAULT 0, cursor INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS _ozg_pending(seq INTEGER PRIMARY KEY, batch BLOB NOT NULL);
        """

    /// Device and inode of the file: a copy has a different inode, a rename keeps it.
    static func fileIdentity(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "" }
        return "\(info.st_dev):\(info.st_ino)"
    }

    /// Reads the site id, or creates one for a new file — and a fresh one for a copied file, so that
    /// two copies never write under the same site id (docs/ARCHITECTURE.md, "Copied files").
    private static func loadOrCreateIdentity(_ database: Database, fileIdentity: String, newSite: SiteID?) throws
        -> (site: SiteID, hlc: UInt64)
    {
        try database.inTransaction {
            let existing = try database.firstRow("SELECT value FROM _ozg_state WHERE key = 'site_id'") { $0.blob(0) }
            let storedIdentity = try database.firstRow("SELECT value FROM _ozg_state WHERE key = 'file_identity'") {
                $0.text(0)
            }
            func freshSite(_ chosen: SiteID? = nil) throws -> SiteID {
                var fresh = chosen ?? SiteID.random()
                while fresh == conflictSite { fresh = SiteID.random() }
                let next =
                    try database.firstRow("SELECT COALESCE(MAX(idx), 0) + 1 FROM _ozg_sites") { $0.int64(0) } ?? 1
                try database.execute(
                    "INSERT INTO _ozg_sites(idx, site) VALUES (?, ?)", [.integer(next), .blob(fresh.bytes)])
                try database.execute(
                    "INSERT OR REPLACE INTO _ozg_state(key, value) VALUES ('site_id', ?)",
                    [.blob(fresh.bytes)])
                return fresh
            }
            var site: SiteID
            if let bytes = existing ?? nil {
                guard let stored = SiteID(bytes: bytes) else { throw StorageCorruption(detail: "Geräte-ID") }
                site = stored
                if let storedIdentity = storedIdentity ?? nil, storedIdentity != fileIdentity, !fileIdentity.isEmpty {
                    site = try freshSite()
                }
            } else {
                try database.execute("INSERT INTO _ozg_state(key, value) VALUES ('hlc', 0)", [])
                try database.execute("INSERT INTO _ozg_state(key, value) VALUES ('schema_version', 0)", [])
                site = try freshSite(newSite)
            }
            if storedIdentity != .some(fileIdentity) {
                try database.execute(
                    "INSERT OR REPLACE INTO _ozg_state(key, value) VALUES ('file_identity', ?)",
                    [.text(fileIdentity)])
            }
            let hlc = try database.firstRow("SELECT value FROM _ozg_state WHERE key = 'hlc'") { $0.int64(0) } ?? 0
            return (site, UInt64(bitPattern: hlc))
        }
    }

    private func loadSites() throws {
        sites = [Self.conflictSite]
        siteIndexes = [Self.conflictSite: 0]
        try database.forEachRow("SELECT idx, site FROM _ozg_sites ORDER BY idx") { row in
            guard let bytes = row.blob(1), let site = SiteID(bytes: bytes), row.int64(0) == Int64(sites.count) else {
                throw StorageCorruption(detail: "Geräteliste")
            }
            siteIndexes[site] = UInt64(sites.count)
            sites.append(site)
        }
    }

    /// The local index of `site`, registering it on first sight (inside the current write transaction).
    func siteIndex(_ site: SiteID) throws -> UInt64 {
        if let index = siteIndexes[site] { return index }
        let index = UInt64(sites.count)
        try database.execute(
            "INSERT INTO _ozg_sites(idx, site) VALUES (?, ?)", [.integer(Int64(index)), .blob(site.bytes)])
        siteIndexes[site] = index
        sites.append(site)
        return index
    }

    func table(_ name: String) throws -> TableState {
        guard let table = tables[name] else {
            throw ReplicaError.unknownTable(name, allowed: tables.keys.filter { !$0.hasPrefix("_") }.sorted())
        }
        return table
    }

    /// Names of the replicated tables this replica knows, including the core's conflict table.
    public var tableNames: [String] { tables.keys.sorted() }

    /// Runs `body` as one transaction: several writes commit together or not at all.
    ///
    /// If any write inside fails, the whole transaction rolls back, even if `body` catches the error.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try write(body)
    }

    /// Wraps a write: opens the outermost transaction, persists the clock at commit, dooms the transaction on failure.
    func write<T>(_ body: () throws -> T) throws -> T {
        if writeDepth > 0 {
            do {
                return try body()
            } catch {
                writeFailed = true
                throw error
            }
        }
        writeDepth = 1
        writeFailed = false
        let savedSites = (sites, siteIndexes)
        let savedTables = (tables, tablesByIndex)
        defer { writeDepth = 0 }
        do {
            let result = try database.inTransaction {
                let result = try body()
                if writeFailed { throw ReplicaError.transactionAborted }
                try flushLog()
                if clock.last != persistedHLC {
                    try database.execute(
                        "UPDATE _ozg_state SET value = ? WHERE key = 'hlc'",
                        [.integer(Int64(bitPattern: clock.last))])
                }
                return result
            }
            persistedHLC = clock.last
            return result
        } catch {
            logGroup = nil
            // The clock keeps its in-memory value (it never goes backwards); the sites and tables rolled back.
            (sites, siteIndexes) = savedSites
            (tables, tablesByIndex) = savedTables
            throw error
        }
    }
}
