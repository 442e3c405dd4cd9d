import Hummingbird
import Logging
import NIOCore
import OZGReplication
import ServiceLifecycle

/// Builds the HTTP application: `POST /v1/labs/{labor_id}/sync`, `GET /v1/labs/{labor_id}/live` (WebSocket),
/// `GET /healthz`, `GET /metrics`.
///
/// `onServerRunning` receives the bound port (tests start on port 0). Tests that do not need a
/// socket drive the same application in process:
///
/// ```swift
/// let app = try buildApplication(configuration)
/// try await app.test(.router) { client in
///     try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
/// }
/// ```
public func buildApplication(
    _ configuration: ServerConfiguration, modules: [any ServerModule] = [],
    logger: Logger = Logger(label: "ozg-sync-server"),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws
    -> some ApplicationProtocol
{
    OpenFileLimit.raise()
    let metrics = ServerMetrics()
    let database = try configuration.postgresURL.map {
        try PostgresServerDatabase(
            url: $0, maxConnections: configuration.postgresConnections, logger: logger, metrics: metrics)
    }
    let live = LiveHub(metrics: metrics)
    let registry: any Registry
    var openLab: (@Sendable (LabID) async throws -> any LabStore)?
    var services: [any Service] = []
    if let database {
        registry = PostgresRegistry(database: database)
        openLab = { lab in
            try await PostgresLabStore.open(configuration: configuration, lab: lab, database: database, live: live)
        }
        services.append(database)
    } else {
        registry = try SQLiteRegistry(dataDirectory: configuration.dataDirectory)
    }
    let labs = LabDirectory(configuration: configuration, metrics: metrics, open: openLab)
    if let database {
        services.append(
            PostgresLiveRelay(
                database: database, labs: labs, live: live, pollInterval: configuration.postgresLivePollInterval,
                logger: logger))
    }
    live.startTokenChecks(registry: registry, interval: configuration.liveTokenCheckInterval)
    let relay = configuration.upstream.map {
        UpstreamRelay(
            upstream: $0, registry: registry, labs: labs, live: live, logger: logger,
            dataDirectory: configuration.dataDirectory)
    }
    // Under a `RelayControl` the relay runs only when told to.
    if let relay, relay.upstream.control == nil { services.append(relay) }
    let sync = SyncEndpoint(
        configuration: configuration, registry: registry, labs: labs, metrics: metrics, live: live, relay: relay)
    let router = Router(context: SyncRequestContext.self)
    router.get("healthz") { _, _ in "ok\n" }
    router.get("metrics") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
    }
    // Outermost first: metrics see every answer, unexpected errors become 500 `intern`, and only an
    // authenticated request reaches the endpoint.
    router.group("v1/labs/:labor/sync")
        .add(middleware: RequestMetricsMiddleware(metrics: metrics))
        .add(middleware: UnexpectedErrorMiddleware())
        .add(middleware: TokenAuthenticationMiddleware(registry: registry))
        .post(use: sync.handle)
    let liveEndpoint = LiveEndpoint(sync: sync, hub: live)
    router.group("v1/labs/:labor/live")
        .add(middleware: UnexpectedErrorMiddleware())
        .add(middleware: TokenAuthenticationMiddleware(registry: registry))
        .ws(shouldUpgrade: liveEndpoint.shouldUpgrade, onUpgrade: liveEndpoint.run)
    let access = ServerAccess(configuration: configuration, registry: registry, labs: labs)
    for module in modules { module.addRoutes(to: router, server: access) }
    return Application(
        router: router,
        server: try configuration.httpServer(metrics: metrics, webSocketRouter: router),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "ozg-sync-server"),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}
