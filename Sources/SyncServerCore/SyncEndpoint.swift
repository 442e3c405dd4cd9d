import Dispatch
import HTTPTypes
import Hummingbird
import NIOCore
import OZGReplication
import OZGWire
import PostgresNIO

/// `POST /v1/labs/{labor_id}/sync`: one push-and-pull round trip, in the steps that
/// docs/PROTOCOL.md („Was der Server tut“) lists. Each step throws the `SyncHTTPError` it answers with.
struct SyncEndpoint: Sendable {
    let configuration: ServerConfiguration
    let registry: any Registry
    let labs: LabDirectory
    let metrics: ServerMetrics
    let live: LiveHub
    /// Set on a workshop hub: told after each push that changed something.
    let relay: UpstreamRelay?

    func handle(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let token = try context.authenticatedToken()
        let lab = try await authorize(token, forLab: context.parameters.get("labor") ?? "")
        // A reading token's request carries no changes, so it gets a small limit before anything is inflated.
        let limit = token.role == .lesen ? configuration.maxReadOnlyRequestBytes : nil
        let body = try await readBody(request, limit: limit)
        let encoding = request.headers[.contentEncoding]
        // Inflating and decoding a large push takes CPU time: off the cooperative pool, like the merge.
        let sync = try await offCooperativePool { try decode(try decompress(body, encoding: encoding, limit: limit)) }
        try checkRoleAndLimits(sync, token: token)
        try await bindDevice(sync.site, lab: lab, to: token)
        try checkAttribution(sync, token: token)
        let check = request.headers[SyncHeaders.cursorCheck].flatMap { $0.utf8.count <= 200 ? $0 : "-" }
        let answer = try await merge(sync, cursorCheck: check, into: lab, token: token)
        return try await encode(answer)
    }

    /// Step 1: a valid lab id, one the token is bound to, and a lab this server has.
    func authorize(_ token: TokenRecord, forLab text: String) async throws -> LabID {
        guard let lab = LabID(text) else { throw SyncHTTPError.labIDInvalid }
        guard token.labs.contains(lab.rawValue) else { throw SyncHTTPError.labNotAllowed(lab.rawValue) }
        guard try await registry.labExists(lab.rawValue) else { throw SyncHTTPError.labUnknown(lab) }
        return lab
    }

    /// Step 2: the body as sent, at most `maxBodyBytes` (or `limit`).
    func readBody(_ request: Request, limit: Int?) async throws(SyncHTTPError) -> [UInt8] {
        let raw: ByteBuffer
        let maxBytes = limit ?? configuration.maxBodyBytes
        do {
            raw = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw .bodyTooLarge(limit: maxBytes)
        }
        metrics.bytesIn.increment(by: Int64(raw.readableBytes))
        return [UInt8](buffer: raw)
    }

    /// Step 2: inflated when it came deflated, at most `maxInflatedBytes` (or `limit`).
    func decompress(_ bytes: [UInt8], encoding: String?, limit: Int?) throws(SyncHTTPError) -> [UInt8] {
        let maxBytes = limit ?? configuration.maxInflatedBytes
        switch encoding?.lowercased() {
        case nil, "identity":
            return bytes
        case "deflate":
            do {
                return try Deflate.decompress(bytes, maxOutputBytes: maxBytes)
            } catch DeflateError.tooLarge {
                throw .inflatedTooLarge(limit: maxBytes)
            } catch {
                throw .compressionInvalid
            }
        case let other?:
            throw .encodingUnknown(other)
        }
    }

    /// Step 2: decoded, or 400 with the reason (409 for another protocol version).
    func decode(_ bytes: [UInt8]) throws(SyncHTTPError) -> SyncRequest {
        do {
            return try SyncWire.decodeRequest(bytes)
        } catch {
            throw .unreadable(error)
        }
    }

    /// Steps 1 and 2: a reading token pushes nothing, and a push holds at most `maxChangesPerRequest` changes.
    func checkRoleAndLimits(_ sync: SyncRequest, token: TokenRecord) throws(SyncHTTPError) {
        if !sync.batch.isEmpty && token.role == .lesen { throw .readOnly }
        if sync.batch.changeCount > configuration.maxChangesPerRequest {
            throw .tooManyChanges(limit: configuration.maxChangesPerRequest, sent: sync.batch.changeCount)
        }
    }

    /// Step 3: the device is bound to this token in this lab (at its first request), so nobody else speaks for it.
    func bindDevice(_ site: SiteID, lab: LabID, to token: TokenRecord) async throws {
        switch try await registry.bindDevice(site, lab: lab, to: token, limit: configuration.maxDevicesPerToken) {
        case nil: return
        case .tooManyDevices(let limit)?: throw SyncHTTPError.tooManyDevices(limit: limit, site: site)
        case .boundToOtherToken?: throw SyncHTTPError.deviceOfOtherToken(site)
        }
    }

    /// Step 3: a token pushes only what the sending device wrote; a hub token relays any device's writes.
    func checkAttribution(_ sync: SyncRequest, token: TokenRecord) throws(SyncHTTPError) {
        guard token.role != .hub else { return }
        for row in sync.batch.rows {
            if let foreign = row.writtenSites.first(where: { $0 != sync.site }) {
                throw .foreignChange(row: row, writer: foreign, sender: sync.site)
            }
        }
    }

    /// Steps 3 to 5: clock and names checked, merged with its audit entry in one transaction, then the
    /// page after the cursor.
    func merge(_ sync: SyncRequest, cursorCheck: String?, into lab: LabID, token: TokenRecord) async throws
        -> Answer
    {
        let store = try await labs.checkOut(lab)
        do {
            let outcome = try await store.sync(
                sync, cursorCheck: cursorCheck, token: token, pageRows: configuration.pageRows,
                pageBytes: configuration.pageBytes, live: live)
            await labs.checkIn(lab)
            metrics.changesMerged.increment(by: Int64(outcome.merged))
            if outcome.merged > 0 { relay?.notify(lab) }
            return Answer(
                response: outcome.response, cursorCheck: outcome.cursorCheck, reset: outcome.reset,
                compacted: outcome.compacted)
        } catch {
            await labs.checkIn(lab)
            throw Self.answer(for: error)
        }
    }

    /// The HTTP answer for what the merge refused; anything else stays as it is.
    static func answer(for error: any Error) -> any Error {
        switch error {
        case let error as ClockDriftError: return SyncHTTPError.clockAhead(error)
        case let error as SchemaError: return SyncHTTPError.nameInvalid(error)
        case let error as SchemaGrowthError: return SyncHTTPError.schemaLimit(error)
        case let error as ReplicaError: return SyncHTTPError.changeInvalid(error)
        case is PSQLError, is PostgresTransactionError: return SyncHTTPError.databaseUnavailable
        default: return error
        }
    }

    /// A page with what the client stores beside its cursor (docs/PROTOCOL.md, „Cursor-Bindung“).
    struct Answer {
        let response: SyncResponse
        let cursorCheck: String
        let reset: Bool
        /// The floor of the compaction that made the reset (nil: none did).
        let compacted: Int64?
    }

    /// The answer, deflated (off the cooperative pool: a page can hold megabytes).
    func encode(_ answer: Answer) async throws -> Response {
        let response = answer.response
        let body = try await offCooperativePool { try Deflate.compress(SyncWire.encode(response)) }
        metrics.bytesOut.increment(by: Int64(body.count))
        var headers: HTTPFields = [
            .contentType: "application/x-ozg-sync", .contentEncoding: "deflate",
            SyncHeaders.cursorCheck: answer.cursorCheck,
        ]
        if answer.reset { headers[SyncHeaders.cursorReset] = "1" }
        if let floor = answer.compacted { headers[SyncHeaders.compacted] = String(floor) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The protocol's own HTTP headers.
enum SyncHeaders {
    /// Request: what the server said about the cursor when it issued it; answer: the same for the new one.
    static let cursorCheck = HTTPField.Name("OZG-Cursor-Check")!
    /// Answer: the cursor was not this server's (or is from before a restore); the page starts at 0.
    static let cursorReset = HTTPField.Name("OZG-Cursor-Reset")!
    /// Answer, with a reset: the cursor lay below the floor of a compaction that removed history (the
    /// floor's position); the device was away longer than the lab's history reaches back.
    static let compacted = HTTPField.Name("OZG-Verdichtet")!
}

/// Runs CPU-heavy work (inflating, decoding, deflating) on a dispatch thread, so that a large request
/// does not occupy one of the cooperative pool's few threads (one per core) that every other request
/// needs (docs/OPERATIONS.md, „Härtung“).
func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
