import Foundation
import Testing

@testable import OZGReplication
@testable import OZGStorage

/// Conflicts the simulation through the server found missing (issue 16), each reduced to the
/// smallest schedule that shows it.
@Suite("Konflikte, die die Simulation über den Server fand")
struct ConflictRegressionTests {
    /// Replicas on one hand-moved clock, so which write is newer does not depend on the machine's load.
    let clock = ManualClock(1_800_000_000_000)

    @Test("Zwei gleichzeitige Wiederherstellungen mit verschiedenen Werten sind ein Konflikt")
    func concurrentRestoresConflict() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg", clock: clock)
        let b = try Replica.test(directory, "b.ozg", clock: clock)
        let c = try Replica.test(directory, "c.ozg", clock: clock)
        try a.insert(into: "reise", id: "r1", values: ["titel": .text("T"), "notiz": .text("alt")])
        try a.send(to: b, name: "b")
        // A deletes (C hears of it) and restores at once with the old value.
        try a.delete("reise", id: "r1")
        try a.send(to: c, name: "c")
        try a.restore("reise", id: "r1")
        // Later B, not knowing of either, edits the old incarnation; then it hears of the delete only
        // (from C) and restores with its edit. B's restore has B's edit, newer than A's restore, as
        // predecessor of the cell: it must not count as having seen A's restore.
        clock.advance(10)
        try b.update("reise", id: "r1", values: ["notiz": .text("von B")])
        try c.send(to: b, name: "b")
        try b.restore("reise", id: "r1")
        try a.send(to: b, name: "b")
        try b.send(to: a, name: "a")
        for replica in [a, b] {
            let conflicts = try replica.conflicts()
            #expect(
                conflicts.contains { $0.kind == .value && $0.column == "notiz" },
                "\(conflicts.map { "\($0.kind) \($0.column)" })")
        }
        #expect(try a.canonicalDump() == b.canonicalDump())
    }

    @Test("Ein späteres zweites Löschen derselben Inkarnation wird gegen eine ungesehene Änderung geprüft")
    func secondDeleteChecksUnseenEdit() throws {
        let directory = TemporaryDirectory()
        let a = try Replica.test(directory, "a.ozg", clock: clock)
        let b = try Replica.test(directory, "b.ozg", clock: clock)
        let c = try Replica.test(directory, "c.ozg", clock: clock)
        let server = try Replica.test(directory, "s.ozg", clock: clock)
        try a.insert(into: "reise", id: "r1", values: ["titel": .text("T"), "notiz": .text("alt")])
        for replica in [b, c, server] { try a.send(to: replica, name: "x\(ObjectIdentifier(replica).hashValue)") }
        // B and C delete without knowing A's edit; C deletes last (the newer delete).
        clock.advance(10)
        try b.delete("reise", id: "r1")
        clock.advance(10)
        try a.update("reise", id: "r1", values: ["titel": .text("von A")])
        clock.advance(10)
        try c.delete("reise", id: "r1")
        // The server gets A's edit, then B's delete (conflict with B's delete), then C's newer delete.
        try a.send(to: server, name: "s")
        try b.send(to: server, name: "s")
        try c.send(to: server, name: "s")
        let deletes = try server.conflicts().filter { $0.kind == .editVersusDelete && $0.column == "titel" }
        let cDelete = try #require(try c.loadRow(try c.table("reise"), id: "r1")?.meta.rowVersion)
        #expect(deletes.contains { $0.versionB == cDelete }, "\(deletes.map { $0.versionB?.text ?? "-" })")
    }
}
