import CSQLite

/// The baseline: the same work straight through SQLite's C API with prepared statements.
///
/// This is the one place outside `OZGSync/SQLite` that calls the C API, on purpose: the baseline
/// must not carry any of our wrapper's cost.
final class PlainSQLite {
    let handle: OpaquePointer

    init(path: String) {
        var handle: OpaquePointer?
        sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        self.handle = handle!
        exec("PRAGMA journal_mode=WAL")
        exec("PRAGMA synchronous=NORMAL")
        // The same checkpoint interval as every replica file (OZGStorage's `Database`).
        exec("PRAGMA wal_autocheckpoint=10000")
        // The same page cache as a replica gets by default (Replica.Configuration.cacheKibibytes).
        exec("PRAGMA cache_size=-32768")
    }

    deinit { sqlite3_close_v2(handle) }

    func exec(_ sql: String) {
        let code = sqlite3_exec(handle, sql, nil, nil, nil)
        precondition(code == SQLITE_OK, String(cString: sqlite3_errmsg(handle)))
    }

    func prepare(_ sql: String) -> OpaquePointer {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        precondition(code == SQLITE_OK, String(cString: sqlite3_errmsg(handle)))
        return statement!
    }

    func bind(_ statement: OpaquePointer, _ index: Int32, _ text: String) {
        sqlite3_bind_text(statement, index, text, -1, ozg_sqlite_transient())
    }

    func insert(_ rows: [Workload.Row]) {
        let statement = prepare(
            "INSERT INTO aufgabe(id, titel, prioritaet, dauer, status, jahr, notiz) VALUES (?, ?, ?, ?, ?, ?, ?)")
        defer { sqlite3_finalize(statement) }
        exec("BEGIN")
        for row in rows {
            sqlite3_reset(statement)
            bind(statement, 1, row.id)
            bind(statement, 2, row.titel)
            sqlite3_bind_int64(statement, 3, row.prioritaet)
            sqlite3_bind_double(statement, 4, row.dauer)
            bind(statement, 5, row.status)
            sqlite3_bind_int64(statement, 6, row.jahr)
            bind(statement, 7, row.notiz)
            precondition(sqlite3_step(statement) == SQLITE_DONE)
        }
        exec("COMMIT")
    }

    func update(_ updates: [(id: String, status: String)]) {
        let statement = prepare("UPDATE aufgabe SET status = ? WHERE id = ?")
        defer { sqlite3_finalize(statement) }
        exec("BEGIN")
        for update in updates {
            sqlite3_reset(statement)
            bind(statement, 1, update.status)
            bind(statement, 2, update.id)
            precondition(sqlite3_step(statement) == SQLITE_DONE)
        }
        exec("COMMIT")
    }

    func checkpointedSize() -> Int64 {
        exec("PRAGMA wal_checkpoint(TRUNCATE)")
        let statement = prepare("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size")
        defer { sqlite3_finalize(statement) }
        sqlite3_step(statement)
        return sqlite3_column_int64(statement, 0)
    }

    static var version: String { String(cString: sqlite3_libversion()) }
}
