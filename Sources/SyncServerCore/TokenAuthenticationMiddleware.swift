import Foundation
import Hummingbird

/// Checks `Authorization: Bearer <token>` against the registry and puts the token into the context
/// (401 `token_fehlt` or `token_ungueltig` otherwise). Which lab and role the token allows is the
/// route's business: it needs the lab from the path.
struct TokenAuthenticationMiddleware: RouterMiddleware {
    let registry: any Registry

    func handle(
        _ request: Request, context: SyncRequestContext,
        next: (Request, SyncRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let authorization = request.headers[.authorization] else { throw SyncHTTPError.tokenMissing }
        // The scheme is case-insensitive (RFC 9110, 11.1); spaces around the token do not count.
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            let token = try await registry.authenticate(parts[1].trimmingCharacters(in: .whitespaces))
        else { throw SyncHTTPError.tokenInvalid }
        var context = context
        context.token = token
        return try await next(request, context)
    }
}
