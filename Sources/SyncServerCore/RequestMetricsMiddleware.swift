import Hummingbird

/// Counts every answered request by status (`ozg_requests_total{status}`) and records its duration
/// (`ozg_sync_request_duration_seconds`), errors included: a thrown `HTTPResponseError` is counted
/// under its status before the router turns it into the answer.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(response.status, since: started)
            return response
        } catch {
            record((error as? any HTTPResponseError)?.status ?? .internalServerError, since: started)
            throw error
        }
    }

    private func record(_ status: HTTPResponse.Status, since started: ContinuousClock.Instant) {
        metrics.request(status: status.code)
        metrics.latency.record(ContinuousClock.now - started)
    }
}
