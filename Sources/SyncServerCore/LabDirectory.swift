import OZGReplication

/// Opens lab stores on demand and closes those nobody used for a while, so open files stay bounded
/// however many labs exist (`maxOpenLabs`, `labIdleSeconds`).
///
/// A request checks a store out and in again; a store is closed only while no request holds it.
actor LabDirectory {
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    /// Opens a lab's store (a lab file, or a lab in PostgreSQL).
    private let open: @Sendable (LabID) async throws -> any LabStore
    private var stores: [LabID: Entry] = [:]
    private var lastIdleSweep = ContinuousClock.now

    private struct Entry {
        let store: any LabStore
        var inUse = 0
        var lastUsed = ContinuousClock.now
    }

    init(
        configuration: ServerConfiguration, metrics: ServerMetrics,
        open: (@Sendable (LabID) async throws -> any LabStore)? = nil
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.open = open ?? { lab in try LabReplicaStore(configuration: configuration, lab: lab) }
    }

    /// The store of `lab`, opening (and on first use creating) its file; give it back with `checkIn`.
    func checkOut(_ lab: LabID) async throws -> any LabStore {
        await closeIdleStores(keeping: lab)
        if var entry = stores[lab] {
            entry.inUse += 1
            entry.lastUsed = .now
            stores[lab] = entry
            return entry.store
        }
        // One opening per lab: requests that come meanwhile wait for it (two openings of a lab on
        // PostgreSQL would both build its mirror file).
        let opening =
            self.opening[lab]
            ?? Task {
                defer { self.opening[lab] = nil }
                let store = try await open(lab)
                stores[lab] = Entry(store: store)
                metrics.openLabs.set(to: Double(stores.count))
            }
        self.opening[lab] = opening
        try await opening.value
        return try await checkOut(lab)
    }

    private var opening: [LabID: Task<Void, any Error>] = [:]

    /// The lab file's store of `lab` (a workshop hub's relay needs the file; a hub keeps its labs in files).
    func checkOutFile(_ lab: LabID) async throws -> LabReplicaStore {
        let store = try await checkOut(lab)
        guard let file = store as? LabReplicaStore else {
            checkIn(lab)
            throw AdminError("Das Labor „\(lab)“ liegt nicht in einer Labordatei.")
        }
        return file
    }

    func checkIn(_ lab: LabID) {
        guard var entry = stores[lab] else { return }
        entry.inUse = max(0, entry.inUse - 1)
        entry.lastUsed = .now
        stores[lab] = entry
    }

    /// Closes stores idle longer than `labIdleSeconds` (looked for at most once a second), and the
    /// least recently used idle ones while `maxOpenLabs` would be passed by opening one more.
    ///
    /// Each request used to sort every open store by last use: with 250 labs in use that sort was a
    /// third of the server's time (docs/PERFORMANCE.md, „1,000 clients“).
    private func closeIdleStores(keeping lab: LabID) async {
        var closing: [any LabStore] = []
        let now = ContinuousClock.now
        if now - lastIdleSweep >= .seconds(1) {
            lastIdleSweep = now
            let idleLimit = now - .seconds(configuration.labIdleSeconds)
            for (key, entry) in stores where key != lab && entry.inUse == 0 && entry.lastUsed < idleLimit {
                stores[key] = nil
                closing.append(entry.store)
            }
        }
        while stores[lab] == nil, stores.count >= configuration.maxOpenLabs {
            var oldest: (lab: LabID, entry: Entry)?
            for (key, entry) in stores where key != lab && entry.inUse == 0 {
                if entry.lastUsed < oldest?.entry.lastUsed ?? now { oldest = (key, entry) }
            }
            guard let oldest else { break }
            stores[oldest.lab] = nil
            closing.append(oldest.entry.store)
        }
        guard !closing.isEmpty else { return }
        metrics.openLabs.set(to: Double(stores.count))
        for store in closing { await store.close() }
    }
}
