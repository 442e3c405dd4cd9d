import OZGReplication

/// Opens lab stores on demand and closes those nobody used for a while, so open files stay bounded
/// however many labs exist (`maxOpenLabs`, `labIdleSeconds`).
///
/// A request checks a store out and in again; a store is closed only while no request holds it.
actor LabDirectory {
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    private var stores: [LabID: Entry] = [:]

    private struct Entry {
        let store: LabReplicaStore
        var inUse = 0
        var lastUsed = ContinuousClock.now
    }

    init(configuration: ServerConfiguration, metrics: ServerMetrics) {
        self.configuration = configuration
        self.metrics = metrics
    }

    /// The store of `lab`, opening (and on first use creating) its file; give it back with `checkIn`.
    func checkOut(_ lab: LabID) async throws -> LabReplicaStore {
        await closeIdleStores(keeping: lab)
        if var entry = stores[lab] {
            entry.inUse += 1
            entry.lastUsed = .now
            stores[lab] = entry
            return entry.store
        }
        let store = try LabReplicaStore(configuration: configuration, lab: lab)
        stores[lab] = Entry(store: store, inUse: 1)
        metrics.openLabs.set(to: Double(stores.count))
        return store
    }

    func checkIn(_ lab: LabID) {
        guard var entry = stores[lab] else { return }
        entry.inUse = max(0, entry.inUse - 1)
        entry.lastUsed = .now
        stores[lab] = entry
    }

    /// Closes stores idle longer than `labIdleSeconds`, and the least recently used idle ones while
    /// `maxOpenLabs` would be passed by opening one more.
    private func closeIdleStores(keeping lab: LabID) async {
        let idleLimit = ContinuousClock.now - .seconds(configuration.labIdleSeconds)
        var idle = stores.filter { $0.key != lab && $0.value.inUse == 0 }.sorted {
            $0.value.lastUsed < $1.value.lastUsed
        }
        var closing: [LabReplicaStore] = []
        while let oldest = idle.first,
            oldest.value.lastUsed < idleLimit || (stores[lab] == nil && stores.count >= configuration.maxOpenLabs)
        {
            idle.removeFirst()
            stores[oldest.key] = nil
            closing.append(oldest.value.store)
        }
        guard !closing.isEmpty else { return }
        metrics.openLabs.set(to: Double(stores.count))
        for store in closing { await store.close() }
    }
}
