import Prometheus

/// The server's Prometheus metrics (swift-prometheus), exposed at `GET /metrics`.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let changesMerged: Counter
    let bytesIn: Counter
    let bytesOut: Counter
    let latency: DurationHistogram

    init() {
        changesMerged = registry.makeCounter(
            name: "ozg_changes_merged_total", help: "Zellen, deren Stand sich durch Pushes geändert hat")
        bytesIn = registry.makeCounter(name: "ozg_bytes_in_total", help: "Empfangene Bytes (komprimiert)")
        bytesOut = registry.makeCounter(name: "ozg_bytes_out_total", help: "Gesendete Bytes (komprimiert)")
        latency = registry.makeDurationHistogram(
            name: "ozg_sync_request_duration_seconds",
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                .seconds(5),
            ],
            help: "Dauer einer Sync-Anfrage")
    }

    func request(status: Int) {
        registry.makeCounter(
            name: "ozg_requests_total", labels: [("status", String(status))],
            help: "Sync-Anfragen nach HTTP-Status"
        ).increment()
    }
}
