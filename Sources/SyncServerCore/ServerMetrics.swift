import Prometheus

/// The server's Prometheus metrics (swift-prometheus), exposed at `GET /metrics`.
///
/// Names and help texts are part of the operations interface (docs/OPERATIONS.md, docs/PROTOCOL.md).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let changesMerged: Counter
    let bytesIn: Counter
    let bytesOut: Counter
    let latency: DurationHistogram
    /// `ozg_open_lab_stores`: lab files open right now.
    let openLabs: Gauge
    /// `ozg_open_connections`: HTTP connections open right now.
    let openConnections: Gauge
    /// `ozg_connections_refused_total`: connections closed at once because `maxConnections` was reached.
    let connectionsRefused: Counter
    /// `ozg_live_connections`: live (WebSocket) clients connected right now.
    let liveConnections: Gauge
    /// `ozg_live_messages_total`: live messages handed to clients.
    let liveMessages: Counter
    /// `ozg_db_connections_max`: the PostgreSQL pool's size (0 on a data directory).
    let databaseConnectionsMax: Gauge
    /// `ozg_db_operations_in_flight`: operations holding or waiting for a pooled connection.
    let databaseInFlight: Gauge
    /// `ozg_db_wait_seconds`: from asking the pool to the first statement's turn.
    let databaseWait: DurationHistogram
    /// `ozg_db_errors_total`: operations the database broke off or refused.
    let databaseErrors: Counter

    /// `ozg_requests_total{status}`: one counter per status, made on first use.
    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "ozg", metricName: "requests", unitName: "total", helpText: "Sync-Anfragen nach HTTP-Status")
    }

    init() {
        changesMerged = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", metricName: "changes_merged", unitName: "total",
                helpText: "Zellen, deren Stand sich durch Pushes geändert hat"))
        bytesIn = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", metricName: "bytes_in", unitName: "total",
                helpText: "Empfangene Bytes (komprimiert)"))
        bytesOut = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", metricName: "bytes_out", unitName: "total",
                helpText: "Gesendete Bytes (komprimiert)"))
        openLabs = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", metricName: "open_lab_stores", helpText: "Geöffnete Labordateien"))
        openConnections = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", metricName: "open_connections", helpText: "Offene HTTP-Verbindungen"))
        connectionsRefused = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", metricName: "connections_refused", unitName: "total",
                helpText: "Wegen der Verbindungsgrenze sofort geschlossene Verbindungen"))
        liveConnections = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", metricName: "live_connections", helpText: "Verbundene Live-Clients (WebSocket)"))
        liveMessages = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", metricName: "live_messages", unitName: "total",
                helpText: "An Live-Clients übergebene Nachrichten"))
        databaseConnectionsMax = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", subsystem: "db", metricName: "connections_max", unitName: "",
                helpText: "Größe des PostgreSQL-Verbindungspools dieser Instanz"))
        databaseInFlight = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", subsystem: "db", metricName: "operations_in_flight", unitName: "",
                helpText: "Datenbankvorgänge, die eine Verbindung halten oder auf eine warten"))
        databaseWait = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", subsystem: "db", metricName: "wait", unitName: "seconds",
                helpText: "Wartezeit auf eine Verbindung aus dem Pool (bis zur ersten Anweisung)"),
            buckets: [
                .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(25),
                .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10),
            ])
        databaseErrors = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", subsystem: "db", metricName: "errors", unitName: "total",
                helpText: "Von der Datenbank abgebrochene oder abgelehnte Vorgänge"))
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "ozg", subsystem: "sync", metricName: "request_duration", unitName: "seconds",
                helpText: "Dauer einer Sync-Anfrage"),
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                .seconds(5),
            ])
    }

    /// Counts one answered sync request under its HTTP status.
    func request(status: Int) {
        registry.makeCounter(descriptor: Self.requests, labels: [("status", String(status))]).increment()
    }
}
