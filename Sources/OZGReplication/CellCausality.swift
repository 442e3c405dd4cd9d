import OZGStorage

/// The causal state of one cell in one incarnation (docs/ARCHITECTURE.md, "Conflicts"): its maximal
/// writes — the winner and the concurrent writes that lost to it by the clock (siblings) — each with
/// the context its writer had: for every other site whose writes of the cell it had merged, the
/// highest such clock.
///
/// A write is known to the state when it is one of the maximal writes or lies in one's context;
/// writes of one site are sequential, so a clock covers all of that site's earlier writes. `join` is
/// the dot-store join of delta-state CRDTs: a maximal write survives unless the other side knows it
/// without holding it (then a write that saw it replaced it there). Keeping each maximal write's own
/// context, not one joined context, lets a replica push its own write alone with exactly what its
/// writer had seen (`projected(onto:)`).
struct CellCausality: Equatable {
    /// Winner first, then the siblings by descending version; sites pairwise different, no write in
    /// another's context (an antichain).
    var maximal: [CellSibling]

    init(maximal: [CellSibling]) {
        self.maximal = maximal
    }

    init(_ cell: CellChange) {
        maximal = [CellSibling(version: cell.version, value: cell.value, context: cell.context)] + cell.siblings
    }

    init(_ meta: CellMeta, value: DatabaseValue) {
        maximal = [CellSibling(version: meta.version, value: value, context: meta.context)] + meta.siblings
    }

    /// No write yet: joining a state into it takes that state as it is (in canonical order).
    static let empty = CellCausality(maximal: [])

    var winner: CellSibling { maximal[0] }
    var siblings: [CellSibling] { Array(maximal.dropFirst()) }

    /// Per site the highest clock this state knows: its maximal writes and their contexts. One pass,
    /// so that checking many writes against a large state stays linear.
    var vector: [SiteID: UInt64] {
        var highest: [SiteID: UInt64] = [:]
        for write in maximal {
            for version in [write.version] + write.context {
                highest[version.site] = max(highest[version.site] ?? 0, version.hlc)
            }
        }
        return highest
    }

    /// A vector as a context: one `Version` per site, sorted by site, without `site`.
    static func context(_ vector: [SiteID: UInt64], excluding site: SiteID? = nil) -> [Version] {
        vector.compactMap { $0.key == site ? nil : Version(hlc: $0.value, site: $0.key) }.sorted { $0.site < $1.site }
    }

    /// Whether `version` lies outside what `vector` covers.
    static func isUnknown(_ version: Version, to vector: [SiteID: UInt64]) -> Bool {
        vector[version.site].map { version.hlc > $0 } ?? true
    }

    /// Whether a write with `version` is one of the maximal writes or in the causal past of one.
    func knows(_ version: Version) -> Bool {
        for write in maximal {
            if write.version.site == version.site, version.hlc <= write.version.hlc { return true }
            for entry in write.context where entry.site == version.site && version.hlc <= entry.hlc { return true }
        }
        return false
    }

    /// The join of two states of the same incarnation, and the pairs of maximal writes that meet for
    /// the first time here (at least one of the two was not maximal in `self`). Every such pair is
    /// concurrent: neither writer had seen the other's write.
    func joined(with other: CellCausality) -> (state: CellCausality, newPairs: [(CellSibling, CellSibling)]) {
        if maximal.isEmpty, other.maximal.count == 1 { return (other, []) }
        if maximal.count == 1, other.maximal.count == 1 {
            // One maximal write each, the common case: decide without building sets.
            let mine = maximal[0]
            let theirs = other.maximal[0]
            if mine.version == theirs.version { return (self, []) }
            if other.knows(mine.version) { return (other, []) }
            if knows(theirs.version) { return (self, []) }
            let both = mine.version > theirs.version ? [mine, theirs] : [theirs, mine]
            return (CellCausality(maximal: both), [(mine, theirs)])
        }
        let mine = vector
        let theirs = other.vector
        let ownVersions = Set(maximal.map(\.version))
        let theirVersions = Set(other.maximal.map(\.version))
        var survivors = maximal.filter { write in
            Self.isUnknown(write.version, to: theirs) || theirVersions.contains(write.version)
        }
        let arriving = other.maximal.filter { write in
            !ownVersions.contains(write.version) && Self.isUnknown(write.version, to: mine)
        }
        survivors += arriving
        survivors.sort { $0.version > $1.version }
        var pairs: [(CellSibling, CellSibling)] = []
        for (index, first) in survivors.enumerated() {
            for second in survivors[(index + 1)...] where arriving.contains(first) || arriving.contains(second) {
                pairs.append((first, second))
            }
        }
        return (CellCausality(maximal: survivors), pairs)
    }

    /// The state after this replica writes `version`: its writer has seen every write the state
    /// knows, so the new write is the only maximal one and its context is that knowledge.
    func overwritten(by version: Version, value: DatabaseValue) -> CellCausality {
        if maximal.count == 1, maximal[0].context.isEmpty {
            let previous = maximal[0].version
            let context = previous.site == version.site ? [] : [previous]
            return CellCausality(maximal: [CellSibling(version: version, value: value, context: context)])
        }
        let context = Self.context(vector, excluding: version.site)
        return CellCausality(maximal: [CellSibling(version: version, value: value, context: context)])
    }

    /// What a replica whose site is `site` may push of this cell (docs/PROTOCOL.md, „Zuordnung“): its
    /// own maximal write alone, with the context its writer had. Nil when the site holds none.
    func projected(onto site: SiteID) -> CellSibling? {
        maximal.first { $0.version.site == site }
    }
}
