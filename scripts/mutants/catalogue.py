"""The mutants of scripts/mutants.py: each a small, plausible bug in the code that decides what
replicas end up holding.

Each entry: `id`; `area`; `file`; `edits`, a list of (original text, mutated text), each original
occurring exactly once in the file; `what` the bug in one line; `simulation: True` for the mutants the
convergence simulation itself must kill (issue 16: both stages always run for them);
`not_by_simulation`, for such a mutant no simulated schedule can show, the argument why and which test
kills it instead; `equivalent`, for a mutant no test can kill, the argument why it changes no
observable behaviour.
"""

APPLY = "Sources/OZGReplication/Replica+Apply.swift"
RULES = "Sources/OZGReplication/MergeRules.swift"
CAUSALITY = "Sources/OZGReplication/CellCausality.swift"
WRITE = "Sources/OZGReplication/Replica+Write.swift"
EXTRACT = "Sources/OZGReplication/Replica+Extract.swift"
CODEC = "Sources/OZGReplication/ChangeBatchCodec.swift"
INDEX = "Sources/OZGReplication/FractionalIndex.swift"
CLOCK = "Sources/OZGReplication/HybridLogicalClock.swift"
STORE = "Sources/SyncServerCore/LabReplicaStore.swift"
CLIENT = "Sources/OZGSyncClient/SyncClient.swift"
LIVE = "Sources/OZGSyncClient/LiveSync.swift"
REMOTE = "Sources/OZGSyncClient/Replica+Remote.swift"
INSPECT = "Sources/OZGReplication/Replica+Inspect.swift"
COMPACTION = "Sources/OZGReplication/Replica+Compaction.swift"

MUTANTS = [
    # The six of issue 16's table: the simulation must kill each itself.
    dict(
        id="lww-ignores-cl", area="Merge", file=APPLY, simulation=True,
        what="last-writer-wins compares only versions, not (causal length, version)",
        edits=[("if let local, local.cl > cell.cl { continue }",
                "if let local, local.cl > cell.cl, local.version > cell.version { continue }")]),
    dict(
        id="value-conflict-off", area="Merge", file=APPLY, simulation=True,
        what="concurrent value conflicts are never recorded",
        edits=[("if detectConflicts, cell.cl == newIncarnation {",
                "if false, detectConflicts, cell.cl == newIncarnation {")]),
    dict(
        id="delete-conflict-inverted", area="Merge", file=RULES, simulation=True,
        what="edit-vs-delete: the edits the deleter had seen conflict, the unseen ones do not",
        edits=[("meta.deleteContext.isEmpty ? Optional.isLess(meta.deleteBase, version) : !deleter.knows(version)",
                "meta.deleteContext.isEmpty ? Optional.isLess(meta.deleteBase, version) : deleter.knows(version)")]),
    dict(
        id="delete-checks-winner-only", area="Merge", file=RULES, simulation=True,
        what="edit-vs-delete: only a cell's winner is checked against the delete, not its siblings",
        edits=[("for write in CellCausality(cell, value: values[ordinal]).maximal where unseen(write.version) {",
                "for write in CellCausality(cell, value: values[ordinal]).maximal.prefix(1) where unseen(write.version) {")]),
    dict(
        id="conflict-one-directional", area="Merge", file=CAUSALITY, simulation=True,
        what="concurrency tested one way only: an older write the local one had seen becomes a sibling and a false conflict",
        edits=[("            if knows(theirs.version) { return (self, []) }\n", "")]),
    dict(
        id="join-drops-sibling", area="Merge", file=CAUSALITY, simulation=True,
        what="two concurrent single writes keep only the winner: the loser is forgotten, a third writer never meets it",
        edits=[("return (CellCausality(maximal: both), [(mine, theirs)])",
                "return (CellCausality(maximal: [both[0]]), [(mine, theirs)])")]),
    dict(
        id="join-arrivals-not-paired", area="Merge", file=CAUSALITY, simulation=True,
        what="after a join only pairs with a local write are recorded, not two writes that arrived together",
        not_by_simulation=(
            "Two concurrent writes arrive together only in a state that already holds both, and whoever "
            "built that state recorded their conflict; its conflict row travels with the state in both "
            "simulations (a relay passes conflict rows, the server sends its own), so the end state is the "
            "same. It matters when the state comes without the rows (a later page, a relay that lost them); "
            "ExactConflictTests 'Drei gleichzeitige Werte' applies such a state alone and kills it."),
        edits=[("where arriving.contains(first) || arriving.contains(second) {",
                "where arriving.contains(first) != arriving.contains(second) {")]),
    dict(
        id="older-incarnation-visible", area="Merge", file=APPLY, simulation=True,
        what="after a restore, cells of the older incarnation stay visible",
        not_by_simulation=(
            "No schedule of the simulation (nor of any honest replica) can show it: a restore writes every "
            "column afresh at the new causal length (Replica.restore), so each cell an older incarnation "
            "left behind is overwritten by the restore's own cell in the same change, and extraction sends "
            "whole rows. Only a peer that sends a restore without all its cells could show it; the merge "
            "property tests apply random batches whose cells carry different causal lengths and kill it "
            "(unit stage: MergePropertyTests 'Kommutativität' and 'Assoziativität', 35 of 80 seeds)."),
        edits=[("if newIncarnation != storedIncarnation {", "if false, newIncarnation != storedIncarnation {")]),
    dict(
        id="cell-cl-does-not-lift-row", area="Merge", file=RULES, simulation=True,
        what="a cell's causal length no longer lifts the row's (newCl = max(newCl, cell.cl) removed)",
        not_by_simulation=(
            "Honest replicas never send a cell above its row's causal length: extraction sends the row's "
            "cl with its cells (rowChange), ownWrites lifts a foreign delete's row to its own highest "
            "cell, so no simulated schedule reaches the rule. Another peer can send such a change (the "
            "wire allows it), and without the rule its cell would be stored above a visible row and hide "
            "the field for good: every later edit, written at the row's lower length, loses to it. The "
            "rule stays; PeerChangeRulesTests 'Eine Zelle über der kausalen Länge ihrer Zeile hebt die "
            "Zeile …' sends such a change by hand and kills the mutant (unit stage)."),
        edits=[("for (_, cell) in known { newCl = max(newCl, cell.cl) }", "")]),
    # Merge, further.
    dict(
        id="incoming-row-cl-ignored", area="Merge", file=RULES,
        what="the incoming row's causal length is ignored (deletes and restores never arrive)",
        edits=[("var newCl = max(oldCl, change.cl)", "var newCl = oldCl")]),
    dict(
        id="row-version-order-inverted", area="Merge", file=RULES,
        what="between two deletes of one incarnation the older row version wins",
        edits=[("Optional.isLess(meta.rowVersion, version)", "Optional.isLess(version, meta.rowVersion)")]),
    dict(
        id="incarnation-of-deleted-row", area="Merge", file=RULES,
        what="a deleted row's incarnation is taken as its even causal length",
        edits=[("cl % 2 == 1 ? cl : (cl == 0 ? 0 : cl - 1)", "cl")]),
    dict(
        id="equal-values-conflict", area="Merge", file=APPLY,
        what="two concurrent writes of the same value are recorded as a conflict",
        edits=[("for (first, second) in newPairs where first.value != second.value {",
                "for (first, second) in newPairs {")]),
    dict(
        id="second-delete-unchecked", area="Merge", file=RULES,
        what="a second, newer delete of a deleted incarnation is not checked against unseen edits",
        edits=[("let deleteVersion = meta.rowVersion, touchedMask != 0 || rowChanged else { return [] }",
                "let deleteVersion = meta.rowVersion, touchedMask != 0 else { return [] }"),
               ("where touchedMask & (1 << UInt64(ordinal)) != 0 || rowChanged {",
                "where touchedMask & (1 << UInt64(ordinal)) != 0 {")]),
    dict(
        id="clock-not-advanced-by-merge", area="Uhr", file=APPLY,
        what="merging does not move the clock past what it received",
        edits=[("clock.observeUnchecked(batch.maxHLC)", "")]),
    # Write path.
    dict(
        id="update-forgets-context", area="Schreiben", file=WRITE,
        what="an update does not record which writes of the cell its writer had seen",
        edits=[("written = CellMeta(cl: stored.meta.cl, state.overwritten(by: version, value: .null))",
                "written = CellMeta(cl: stored.meta.cl, version: version); _ = state")]),
    dict(
        id="delete-forgets-base", area="Schreiben", file=WRITE,
        what="a delete does not record which edits it had seen",
        edits=[("stored.meta.deleteContext = Self.knowledge(of: stored.meta, incarnation: stored.meta.cl)",
                "stored.meta.deleteContext = []")]),
    dict(
        id="delete-context-ignores-cell-contexts", area="Schreiben", file=WRITE,
        what="a delete's context names the cells' maximal writes only, not what their writers had seen",
        edits=[("highest.merge(CellCausality(cell, value: .null).vector, uniquingKeysWith: max)",
                "highest.merge(Dictionary(CellCausality(cell, value: .null).maximal.map { ($0.version.site, $0.version.hlc) }, uniquingKeysWith: max), uniquingKeysWith: max)")]),
    dict(
        id="restore-base-from-old-incarnation", area="Schreiben", file=WRITE,
        what="a restore's cells name the older incarnation's versions as seen",
        equivalent=(
            "Since protocol 2 a context counts within its incarnation only, and the entry this names is the "
            "old winner's own site at its old clock. That site's writes of the new incarnation — its own "
            "concurrent restore or edit — come after its old write on its own monotonic clock, so the entry "
            "never covers one of them; no write of the new incarnation is taken as seen, no conflict is lost. "
            "(Under protocol 1 the base was compared across sites and this was a real bug.)"),
        edits=[("meta.setCell(ordinal, CellMeta(cl: meta.cl, version: version))",
                "meta.setCell(ordinal, CellMeta(cl: meta.cl, version: version, context: meta.cell(ordinal).map { $0.version.site == version.site ? [] : [$0.version] } ?? []))")]),
    dict(
        id="restore-keeps-cell-cl", area="Schreiben", file=WRITE,
        what="a restore keeps only the row's new causal length, its cells stay at the old one",
        edits=[("meta.setCell(ordinal, CellMeta(cl: meta.cl, version: version))",
                "meta.setCell(ordinal, CellMeta(cl: meta.cell(ordinal)?.cl ?? meta.cl, version: version))")]),
    # Change log and extraction.
    dict(
        id="extract-forgets-earlier-cells", area="Extraktion", file=EXTRACT,
        what="a row written twice since the last push sends only the cells of its last write",
        edits=[("masks[key] = mask | entry.mask", "masks[key] = entry.mask")]),
    dict(
        id="extract-acknowledges-unsent", area="Extraktion", file=EXTRACT,
        what="a page acknowledges the log up to its end, not up to what it sent",
        edits=[("return ExtractedChanges(batch: ChangeBatch(rows: rows), throughSequence: through)",
                "return ExtractedChanges(batch: ChangeBatch(rows: rows), throughSequence: groupEnds.last?.sequence ?? through)")]),
    dict(
        id="own-writes-keep-foreign-cl", area="Extraktion", file=EXTRACT,
        what="own cells of a row another site deleted are pushed with that delete's causal length",
        edits=[("own.cl = highest", "own.cl = change.cl; _ = highest")]),
    dict(
        id="row-change-sends-older-incarnation", area="Extraktion", file=EXTRACT,
        what="a row's change carries cells of older incarnations too",
        edits=[("guard let cell = meta.cell(ordinal), cell.cl == incarnation else { continue }",
                "guard let cell = meta.cell(ordinal) else { continue }")]),
    # Codec.
    dict(
        id="codec-drops-context", area="Kodierung", file=CODEC,
        what="the encoder leaves out the context of each cell's winner",
        edits=[("body.varint(UInt64(cell.context.count))\n            for entry in cell.context { writeContextEntry(entry) }",
                "body.varint(0)")]),
    dict(
        id="push-drops-own-sibling", area="Extraktion", file=EXTRACT,
        what="a client does not push its own write once another site's concurrent write won it by the clock",
        edits=[("guard let own = CellCausality(cell).projected(onto: siteID) else { return nil }",
                "guard cell.version.site == siteID, let own = CellCausality(cell).projected(onto: siteID) else { return nil }")]),
    dict(
        id="codec-same-version-by-site", area="Kodierung", file=CODEC,
        what="a cell is encoded as 'same version as the previous' when only the site matches",
        edits=[("if cell.version == previousVersion { cellHeader |= Codec.sameVersion }",
                "if cell.version.site == previousVersion?.site { cellHeader |= Codec.sameVersion }"),
               ("if cell.version != previousVersion { writeVersion(cell.version) }",
                "if cell.version.site != previousVersion?.site { writeVersion(cell.version) }")]),
    # Fractional index.
    dict(
        id="index-midpoint-touches-upper", area="Positionen", file=INDEX,
        what="the midpoint may take the upper bound's digit",
        edits=[("if highDigit - lowDigit > 1 {", "if highDigit - lowDigit > 0 {")]),
    dict(
        id="index-may-end-in-zero", area="Positionen", file=INDEX,
        what="a generated key may end in the digit 0 (no room before it)",
        edits=[("index == 2 ? Int.random(in: 1..<base, using: &generator)",
                "index == 2 ? Int.random(in: 0..<base, using: &generator)")]),
    # Clock.
    dict(
        id="clock-repeats-within-millisecond", area="Uhr", file=CLOCK,
        what="two ticks in the same millisecond return the same value",
        edits=[("last = max(physical, last &+ 1)", "last = max(physical, last)")]),
    dict(
        id="clock-drift-unchecked", area="Uhr", file=CLOCK,
        what="a change from a clock far ahead is accepted",
        edits=[("if remoteMilliseconds > now &+ maxDriftMilliseconds {",
                "if false, remoteMilliseconds > now &+ maxDriftMilliseconds {")]),
    # The server's page: echo filter and cursor.
    dict(
        id="echo-filter-drops-foreign-delete", area="Server", file=STORE,
        what="the echo filter drops a row whose cells are all the requester's, even when another site deleted it",
        edits=[("if row.cells.isEmpty && (row.rowVersion == nil || row.rowVersion?.site == site) { continue }",
                "if row.cells.isEmpty { continue }")]),
    dict(
        id="echo-filter-inverted", area="Server", file=STORE,
        what="the echo filter returns the requester's own cells and drops everyone else's",
        edits=[("row.cells.removeAll { $0.version.site == site && $0.siblings.isEmpty }",
                "row.cells.removeAll { $0.version.site != site && $0.siblings.isEmpty }")]),
    dict(
        id="server-never-says-more", area="Server", file=STORE,
        what="the server never says that more pages follow",
        edits=[("let more = try replica.lastSequence() > page.throughSequence", "let more = false")]),
    dict(
        id="server-cursor-one-ahead", area="Server", file=STORE,
        what="the cursor the server returns skips one log group",
        edits=[("return SyncResponse(cursor: page.throughSequence, more: more",
                "return SyncResponse(cursor: page.throughSequence + (rows.isEmpty ? 0 : 1), more: more")]),
    # The client.
    dict(
        id="client-stops-after-full-push-page", area="Client", file=CLIENT,
        what="the client stops when the server has nothing more, although its own changes are left (a full page, or a short one whose other rows were another site's)",
        edits=[("if !answer.response.more && !localLeft { break }", "if !answer.response.more { break }")]),
    # The live channel (issue 10, part 2).
    dict(
        id="live-applies-across-gap", area="Live", file=LIVE,
        what="a live message is applied even when it does not continue the cursor: the missed one is skipped for good",
        edits=[("guard message.fromSequence == cursor, message.batch != nil else {",
                "guard message.fromSequence <= cursor || true, message.batch != nil else {")]),
    dict(
        id="live-no-catch-up-on-connect", area="Live", file=LIVE,
        what="a (re)opened live connection does not sync: what was pushed while it was down never arrives",
        edits=[("            case .connected, .poll:\n                needsSync = true\n",
                "            case .poll:\n                needsSync = true\n            case .connected:\n                break\n")]),
    dict(
        id="live-cursor-not-advanced", area="Live", file=REMOTE,
        what="an applied live message leaves the cursor where it was: the next message looks like a gap",
        edits=[("try apply(batch, remote: remote, cursor: cursor)", "try apply(batch)")]),
    # Cursors bound to the server that issued them (issue 10, part 3).
    dict(
        id="cursor-check-ignored", area="Server", file=STORE,
        what="the server trusts any cursor: a device from another server or from before a restore skips changes",
        edits=[("if cursor > 0, let cursorCheck, try cursorCheck != replica.cursorCheck(at: cursor) {",
                "if false, cursor > 0, let cursorCheck, try cursorCheck != replica.cursorCheck(at: cursor) {")]),
    dict(
        id="reset-keeps-acknowledgement", area="Client", file=REMOTE,
        what="after a reset the client keeps what the previous server acknowledged: those changes never reach the new one",
        edits=[("                try forgetRemotePosition(remote)\n", "")]),
    # The workshop hub's relay.
    dict(
        id="relay-only-own-writes", area="Hub", file=STORE,
        what="the hub relays only changes written on its own file, not the participants' pushes",
        edits=[("let extracted = try replica.extractChanges(after: acknowledged, includeRemoteOrigin: true, maxRows: maxRows)",
                "let extracted = try replica.extractChanges(after: acknowledged, includeRemoteOrigin: false, maxRows: maxRows)")]),
    dict(
        id="relay-acks-unsent-pushes", area="Hub", file=STORE,
        what="after upstream's answer the hub acknowledges its whole log, also participants' pushes that landed meanwhile and were never sent",
        edits=[("try replica.acknowledge(before == pushedThrough ? head : pushedThrough, for: Self.upstreamRemote)",
                "try replica.acknowledge(head, for: Self.upstreamRemote)")]),
    # A row's history chain (issue 15, part 4).
    dict(
        id="merge-starts-new-chain", area="History", file=APPLY,
        what="a merged change of a known row claims to be the row's first: history loses everything before it",
        edits=[("previous: stored == nil ? 0 : stored!.meta.logSequence)", "previous: 0)")]),
    dict(
        id="chain-follows-last-entry", area="History", file=INSPECT,
        what="history follows the pointer of the row's last entry in a log row: a row written twice in one transaction loses its chain",
        edits=[("guard let previous = entries.first?.previous, previous < sequence else { return nil }",
                "guard let previous = entries.last?.previous, previous < sequence else { return nil }")]),
    # Compaction (issue 15, part 5).
    dict(
        id="compaction-drops-deletes", area="Compaction", file=COMPACTION,
        what="compaction removes deleted rows instead of keeping their delete: a device's late edit brings a row back",
        edits=[("for stub in stubs { try update.execute([.blob(stub.meta), .blob(empty), .text(stub.id)]) }",
                "for stub in stubs { try database.execute(\"DELETE FROM \\\"_ozg_tomb_\\(name)\\\" WHERE id = ?\", [.text(stub.id)]) }")]),
    dict(
        id="squash-only-latest-change", area="Compaction", file=COMPACTION,
        what="removed history is logged again only for rows whose latest change went: a new device misses the columns of their older changes",
        edits=[("for row in entry.rows[start..<min(start + LogGroup.capacity, entry.rows.count)] {",
                "for row in entry.rows[start..<min(start + LogGroup.capacity, entry.rows.count)] where (row.meta.logSequence ?? 0) <= boundary {")]),
    dict(
        id="compaction-floor-ignored", area="Compaction", file=STORE,
        what="a cursor below a compaction's floor without a check is served from where it stands: the device misses rows logged again below it",
        edits=[("} else if cursorCheck == nil && cursor < floor {", "} else if false, cursorCheck == nil && cursor < floor {")]),
    dict(
        id="compaction-reset-unexplained", area="Compaction", file=STORE,
        what="a device sent back to 0 by a compaction is not told why",
        edits=[("                if cursor < floor { compacted = floor }\n", "")]),
]
