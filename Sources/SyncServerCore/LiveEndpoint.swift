import Hummingbird
import HummingbirdWebSocket
import NIOCore
import OZGReplication
import OZGWire

/// `GET /v1/labs/{labor_id}/live?geraet=<site>&protokoll=2`: the live channel (docs/PROTOCOL.md,
/// „Live-Kanal“). The upgrade passes the same checks as a sync (token, lab, device binding). A refused
/// upgrade gets hummingbird-websocket's empty 400; the same GET without `Upgrade` gets the JSON error
/// with the German reason, and so does the client's next sync. After the upgrade the
/// server only sends: one `LiveMessage` per push by another device. The client sends nothing but
/// WebSocket control frames; whatever else it sends is read and dropped.
struct LiveEndpoint: Sendable {
    let sync: SyncEndpoint
    let hub: LiveHub

    func shouldUpgrade(_ request: Request, context: SyncRequestContext) async throws -> RouterShouldUpgrade {
        let token = try context.authenticatedToken()
        let lab = try await sync.authorize(token, forLab: context.parameters.get("labor") ?? "")
        let site = try Self.site(of: request)
        guard request.uri.queryParameters["protokoll"].map(String.init) == String(SyncRequest.protocolVersion) else {
            throw SyncHTTPError.liveProtocolVersion(request.uri.queryParameters["protokoll"].map(String.init))
        }
        // Last, so that a plain GET (which gets the JSON error, unlike a refused upgrade) finds every other fault.
        guard request.headers[.upgrade]?.lowercased() == "websocket" else { throw SyncHTTPError.liveNeedsWebSocket }
        try await sync.bindDevice(site, lab: lab, to: token)
        return .upgrade([:])
    }

    static func site(of request: Request) throws(SyncHTTPError) -> SiteID {
        guard let text = request.uri.queryParameters["geraet"], let site = SiteID(hex: String(text)) else {
            throw .liveDeviceInvalid
        }
        return site
    }

    func run(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter,
        _ context: WebSocketRouterContext<SyncRequestContext>
    ) async throws {
        guard let token = context.requestContext.token,
            let lab = LabID(context.requestContext.parameters.get("labor") ?? ""),
            let site = try? Self.site(of: context.request)
        else { return }
        guard
            let (id, messages) = hub.subscribe(
                lab: lab, site: site, tokenID: token.id, limit: sync.configuration.maxDevicesPerToken)
        else {
            try await outbound.close(
                .policyViolation,
                reason: "Dieses Token hält schon \(sync.configuration.maxDevicesPerToken) Live-Verbindungen.")
            return
        }
        defer { hub.unsubscribe(lab: lab, id: id) }
        let hub = self.hub
        // One child task per connection (memory per connection counts with thousands of them): it
        // reads until the client closes, then ends the subscription, which ends the loop below.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await _ in inbound {}
                } catch {
                    // A broken connection ends like a closed one.
                }
                hub.unsubscribe(lab: lab, id: id)
            }
            for await message in messages {
                try await outbound.write(.binary(ByteBuffer(bytes: message)))
            }
            group.cancelAll()
        }
    }
}
