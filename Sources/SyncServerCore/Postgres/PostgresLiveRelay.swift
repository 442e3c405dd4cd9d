import Logging
import OZGReplication
import PostgresNIO
import ServiceLifecycle

/// Carries the live channel across server instances on one database: after a push commits, its
/// instance sends `NOTIFY ozg_live, '<lab>'`; every instance listens and brings its mirror of that lab up
/// to the database when it has live clients there, which tells them (`PostgresLabStore.catchUp`).
/// NOTIFY only wakes: every `pollInterval` each instance also looks at the labs its live clients
/// follow, so a lost notification — or an engine without LISTEN/NOTIFY — delays a message, never loses it.
final class PostgresLiveRelay: Service, Sendable {
    static let channel = "ozg_live"

    let database: PostgresServerDatabase
    let labs: LabDirectory
    let live: LiveHub
    let pollInterval: Duration
    let logger: Logger

    init(
        database: PostgresServerDatabase, labs: LabDirectory, live: LiveHub, pollInterval: Duration = .seconds(2),
        logger: Logger
    ) {
        self.database = database
        self.labs = labs
        self.live = live
        self.pollInterval = pollInterval
        self.logger = logger
    }

    func run() async throws {
        // Both loops end with the application.
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.listen() }
                group.addTask { await self.poll() }
            }
        }
    }

    /// LISTEN on a connection of its own, again after a pause when the connection breaks.
    private func listen() async {
        while !Task.isCancelled {
            do {
                try await database.prepared()
                try await database.client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await notification in notifications {
                            guard let lab = LabID(notification.payload) else { continue }
                            await self.refresh(lab)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("Live über PostgreSQL: LISTEN unterbrochen (\(error)); neuer Versuch")
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    private func poll() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: pollInterval)
            for lab in live.labsWithListeners() { await refresh(lab) }
        }
    }

    private func refresh(_ lab: LabID) async {
        guard live.hasListeners(lab: lab, besides: Replica.conflictSite),
            let store = try? await labs.checkOut(lab)
        else { return }
        if let store = store as? PostgresLabStore {
            do {
                try await store.refresh()
            } catch {
                logger.debug("Live über PostgreSQL: \(lab) nicht aufgefrischt (\(error))")
            }
        }
        await labs.checkIn(lab)
    }
}
