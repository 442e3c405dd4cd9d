import OZGReplication

/// Opens lab stores on demand and keeps them for the server's lifetime, one per lab.
actor LabDirectory {
    let configuration: ServerConfiguration
    private var stores: [LabID: LabReplicaStore] = [:]

    init(configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    /// The store of `lab`, opening (and on first use creating) its file.
    func store(_ lab: LabID) throws -> LabReplicaStore {
        if let store = stores[lab] { return store }
        let store = try LabReplicaStore(configuration: configuration, lab: lab)
        stores[lab] = store
        return store
    }
}
