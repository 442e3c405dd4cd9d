import Hummingbird

/// The request context of the sync server: Hummingbird's core values plus the token that
/// `TokenAuthenticationMiddleware` authenticated.
///
/// ```swift
/// router.post("v1/labs/:labor/sync") { request, context in
///     let token = try context.authenticatedToken()
///     …
/// }
/// ```
struct SyncRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by `TokenAuthenticationMiddleware`; nil on routes without it (`/healthz`, `/metrics`).
    var token: TokenRecord?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The authenticated token; a route behind the middleware always has one.
    func authenticatedToken() throws(SyncHTTPError) -> TokenRecord {
        guard let token else { throw .tokenMissing }
        return token
    }
}
