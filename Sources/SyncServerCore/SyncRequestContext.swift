import Hummingbird
import HummingbirdWebSocket

/// The request context of the sync server: Hummingbird's core values plus the token that
/// `TokenAuthenticationMiddleware` authenticated.
///
/// ```swift
/// router.post("v1/labs/:labor/sync") { request, context in
///     let token = try context.authenticatedToken()
///     …
/// }
/// ```
public struct SyncRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `TokenAuthenticationMiddleware`; nil on routes without it (`/healthz`, `/metrics`).
    public var token: TokenRecord?
    /// The client's address (IP without port), for limits per client; nil when the channel has none.
    public let clientAddress: String?
    /// Where the live route hands its WebSocket handler to the upgrade (hummingbird-websocket).
    public let webSocket = WebSocketHandlerReference<SyncRequestContext>()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// The authenticated token; a route behind the middleware always has one.
    func authenticatedToken() throws(SyncHTTPError) -> TokenRecord {
        guard let token else { throw .tokenMissing }
        return token
    }
}
