import Testing

@testable import OZGReplication
@testable import OZGStorage

/// `Replica.capturingRolledBack` and `applyMirror`, the way the server on PostgreSQL uses them: a
/// merge is captured and rolled back, the capture is kept elsewhere, then mirrored into every copy
/// (docs/ARCHITECTURE.md, „Server auf PostgreSQL“). Every copy must end byte for byte like a replica
/// that merged the same pushes itself.
@Suite("Gespiegelte Replikate")
struct MirrorTests {
    /// A schema-agnostic server-side replica with a fixed site id.
    func serverReplica(_ directory: TemporaryDirectory, _ name: String, site: SiteID) throws -> Replica {
        var configuration = Replica.Configuration(maxDriftMilliseconds: UInt64.max / 4, siteIDForNewFile: site)
        configuration.schemaGrowthLimit = SchemaGrowthLimit(tables: 8, columnsPerTable: 8)
        let replica = try Replica(
            path: directory.path(name), schema: ReplicaSchema(version: 2, tables: []), configuration: configuration)
        replica.adoptRegisteredTables()
        return replica
    }

    /// Random writes of one device: inserts, updates, deletes and restores of a few rows.
    func randomWrites(_ replica: Replica, ids: [String], columns: [String], random: inout SeededGenerator) throws {
        for _ in 0..<Int.random(in: 1...6, using: &random) {
            let id = ids.randomElement(using: &random)!
            let column = columns.randomElement(using: &random)!
            let value = DatabaseValue.text("w\(Int.random(in: 0..<1000, using: &random))")
            if try replica.causalLength(table: "reise", id: id) == nil {
                try replica.insert(into: "reise", id: id, values: [column: value])
            } else if try !replica.isVisible(table: "reise", id: id) {
                // A row known here only by its delete (pulled without values) cannot be restored here.
                if Bool.random(using: &random) { try? replica.restore("reise", id: id) }
            } else if Int.random(in: 0..<5, using: &random) == 0 {
                try replica.delete("reise", id: id)
            } else {
                try replica.update("reise", id: id, values: [column: value])
            }
        }
    }

    @Test("Erfassen, zurückrollen und spiegeln ergibt dieselben Bytes wie selbst mischen", arguments: 0..<10)
    func mirroredMergeIsTheMerge(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        var random = SeededGenerator(seed: seed)
        let site = SiteID.random()
        let direct = try serverReplica(directory, "direct.ozg", site: site)
        let captured = try serverReplica(directory, "captured.ozg", site: site)
        let mirror = try serverReplica(directory, "mirror.ozg", site: site)
        // B knows a column A does not: the server's table widens when B first pushes it.
        let wider = ReplicaSchema(
            version: 1,
            tables: [ReplicatedTable("reise", columns: [.init("titel"), .init("notiz"), .init("zusatz")])])
        let devices = [
            try Replica.test(directory, "a.ozg"), try Replica.test(directory, "b.ozg", schema: wider),
            try Replica.test(directory, "c.ozg"),
        ]
        let ids = (0..<6).map { "r\($0)" }
        var acknowledged = [Int64](repeating: 0, count: devices.count)
        var cursors = [Int64](repeating: 0, count: devices.count)
        for _ in 0..<40 {
            let index = Int.random(in: 0..<devices.count, using: &random)
            let device = devices[index]
            let columns = index == 1 ? ["titel", "notiz", "zusatz"] : ["titel", "notiz"]
            try randomWrites(device, ids: ids, columns: columns, random: &random)
            let push = try device.extractChanges(after: acknowledged[index])
            try direct.apply(push.batch, creatingUnknownTables: true)

            let before = try captured.mirrorState(after: 0)
            let (_, state) = try captured.capturingRolledBack {
                try captured.apply(push.batch, creatingUnknownTables: true)
            }
            // Nothing stays behind in the file the merge ran in.
            #expect(try captured.mirrorState(after: 0) == before)
            try captured.applyMirror(state)
            try mirror.applyMirror(state)
            try mirror.applyMirror(state)
            acknowledged[index] = push.throughSequence

            let page = try direct.extractChanges(after: cursors[index], includeRemoteOrigin: true)
            #expect(try captured.extractChanges(after: cursors[index], includeRemoteOrigin: true).batch == page.batch)
            try device.apply(page.batch)
            cursors[index] = page.throughSequence
        }
        let expected = try direct.mirrorState(after: 0)
        #expect(try captured.mirrorState(after: 0) == expected)
        #expect(try mirror.mirrorState(after: 0) == expected)
        #expect(try mirror.canonicalDump() == direct.canonicalDump())
        let head = try direct.lastSequence()
        #expect(try mirror.cursorCheck(at: head) == direct.cursorCheck(at: head))
        #expect(expected.tables.contains { $0.name == "reise" && $0.columns.contains("zusatz") })
    }

    @Test("Ein abgelehnter Push hinterlässt nichts, und ein Spiegel anderer Herkunft wird abgewiesen")
    func refusedAndForeign() throws {
        let directory = TemporaryDirectory()
        let server = try serverReplica(directory, "server.ozg", site: .random())
        let device = try Replica.test(directory, "a.ozg")
        try device.insert(into: "reise", id: "r1", values: ["titel": .text("Reise")])
        let (_, state) = try server.capturingRolledBack {
            try server.apply(try device.extractChanges(after: 0).batch, creatingUnknownTables: true)
        }
        #expect(throws: (any Error).self) {
            _ = try server.capturingRolledBack {
                try server.apply(try device.extractChanges(after: 0).batch, creatingUnknownTables: true)
                throw ReplicaError.transactionAborted
            }
        }
        #expect(try server.lastSequence() == 0)
        // A replica whose registry numbers the tables differently refuses the state whole.
        let other = try serverReplica(directory, "other.ozg", site: .random())
        let otherDevice = try Replica.test(
            directory, "b.ozg", schema: ReplicaSchema(version: 1, tables: [TestSchema.schritt]))
        try otherDevice.insert(into: "schritt", values: ["text": .text("Schritt")])
        try other.apply(try otherDevice.extractChanges(after: 0).batch, creatingUnknownTables: true)
        let otherHead = try other.lastSequence()
        #expect(throws: MirrorMismatch.self) { try other.applyMirror(state) }
        #expect(try other.lastSequence() == otherHead)
        #expect(!other.tableNames.contains("reise"))
    }
}
