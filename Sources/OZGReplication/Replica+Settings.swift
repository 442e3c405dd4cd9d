import OZGStorage

extension Replica {
    /// A setting of this file only (not replicated), e.g. the shell's current lab.
    public func localSetting(_ key: String) throws -> String? {
        try database.firstRow("SELECT value FROM _ozg_state WHERE key = ?", [.text("local:" + key)]) { $0.text(0) }
            ?? nil
    }

    /// Stores (or with nil removes) a setting of this file only.
    public func setLocalSetting(_ key: String, _ value: String?) throws {
        try write {
            if let value {
                try database.execute(
                    "INSERT OR REPLACE INTO _ozg_state(key, value) VALUES (?, ?)",
                    [.text("local:" + key), .text(value)])
            } else {
                try database.execute("DELETE FROM _ozg_state WHERE key = ?", [.text("local:" + key)])
            }
        }
    }

    /// Names the person working on this device; replicated, so history and conflicts elsewhere show the name.
    public func setAuthor(_ name: String) throws {
        let id = siteID.hex
        if try isVisible(table: ReplicaSchema.deviceTable.name, id: id) {
            try update(ReplicaSchema.deviceTable.name, id: id, values: ["autor": .text(name)])
        } else if try causalLength(table: ReplicaSchema.deviceTable.name, id: id) == nil {
            try insert(into: ReplicaSchema.deviceTable.name, id: id, values: ["autor": .text(name)])
        }
    }

    /// The author of this device, if one was named.
    public var author: String? {
        (try? authors())?[siteID]
    }

    /// Every device's author known here.
    public func authors() throws -> [SiteID: String] {
        var result: [SiteID: String] = [:]
        try database.forEachRow("SELECT id, autor FROM \"\(ReplicaSchema.deviceTable.name)\"") { row in
            guard let hex = row.text(0), hex.count == 32, let high = UInt64(hex.prefix(16), radix: 16),
                let low = UInt64(hex.suffix(16), radix: 16), let name = row.text(1)
            else { return }
            result[SiteID(high: high, low: low)] = name
        }
        return result
    }
}
