import Dispatch

/// A serial executor on a dispatch queue of its own: an actor that does blocking SQLite work runs
/// there instead of on Swift's cooperative pool (one thread per core), so a heavy lab cannot hold up
/// the requests of others or the HTTP server's own tasks (docs/OPERATIONS.md, „Härtung“).
///
/// ```swift
/// actor Store {
///     private let executor = QueueExecutor(label: "lab")
///     nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
/// }
/// ```
final class QueueExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedSerialExecutor()) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
