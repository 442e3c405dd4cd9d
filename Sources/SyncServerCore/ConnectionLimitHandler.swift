import NIOCore
import Synchronization

/// Counts open HTTP connections and closes a new one at once while `limit` are open, so a flood of
/// idle sockets cannot take the file descriptors the lab files and honest clients need
/// (`--max-connections`, docs/OPERATIONS.md „Härtung“). One handler per connection, one shared count.
/// It passes every event on: being added to and removed from a connection's pipeline is all it needs
/// (NIO requires a handler to be inbound or outbound, so it is an inbound one).
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    /// The count all connections of one server share.
    final class Count: Sendable {
        let limit: Int
        let metrics: ServerMetrics
        private let open = Mutex(0)

        init(limit: Int, metrics: ServerMetrics) {
            self.limit = limit
            self.metrics = metrics
        }

        /// Takes a place; false when all `limit` are taken.
        func enter() -> Bool {
            let entered = open.withLock { count in
                guard count < limit else { return false }
                count += 1
                return true
            }
            if entered { metrics.openConnections.increment() } else { metrics.connectionsRefused.increment() }
            return entered
        }

        func leave() {
            open.withLock { $0 -= 1 }
            metrics.openConnections.decrement()
        }
    }

    private let count: Count
    private var counted = false

    init(count: Count) {
        self.count = count
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = count.enter()
        if !counted { context.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if counted { count.leave() }
        counted = false
    }
}
