import Hummingbird
import PostgresNIO

/// Answers any error that is not already an HTTP answer with 500 `intern` in the protocol's JSON
/// form, and logs the cause: the client gets no internals, the operator gets all of them.
struct UnexpectedErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error where error is PSQLError || error is PostgresTransactionError {
            context.logger.error("Datenbank nicht erreichbar: \(error)")
            throw SyncHTTPError.databaseUnavailable
        } catch {
            context.logger.error("Unerwarteter Fehler: \(error)")
            throw SyncHTTPError.unexpected
        }
    }
}
