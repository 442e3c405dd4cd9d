import OZGReplication

/// What a replica keeps about one server it syncs with, beside cursor and acknowledgement: the
/// server's cursor check (docs/PROTOCOL.md, „Cursor-Bindung“). `SyncClient`, `LiveSync` and a hub's
/// relay (`SyncServerCore`) all take answers through here.
extension Replica {
    /// The local setting that holds what `remote` said about the stored cursor.
    static func cursorCheckSetting(for remote: String) -> String { "remote.\(remote).cursor_check" }

    /// The check to send with a request: nil for cursor 0 (nothing to check) or before any was stored.
    public func storedCursorCheck(for remote: String) throws -> String? {
        try cursor(for: remote) > 0 ? localSetting(Self.cursorCheckSetting(for: remote)) : nil
    }

    /// Applies a server's answer: its page with the new cursor and the server's check, in one
    /// transaction; after a reset it first forgets what `remote` had acknowledged, so the next round
    /// pushes every local change again.
    public func take(_ answer: SyncAnswer, from remote: String, creatingUnknownTables: Bool = false) throws {
        try transaction {
            if answer.reset {
                try forgetRemotePosition(remote)
            }
            try apply(
                answer.response.batch, remote: remote, cursor: answer.response.cursor,
                creatingUnknownTables: creatingUnknownTables)
            if let check = answer.cursorCheck { try setLocalSetting(Self.cursorCheckSetting(for: remote), check) }
        }
    }

    /// Applies live messages' changes that continue the cursor up to `cursor`, with the check of the
    /// last one, in one transaction.
    public func takeLive(_ batch: ChangeBatch, from remote: String, cursor: Int64, cursorCheck: String?) throws {
        try transaction {
            try apply(batch, remote: remote, cursor: cursor)
            if let cursorCheck { try setLocalSetting(Self.cursorCheckSetting(for: remote), cursorCheck) }
        }
    }
}
