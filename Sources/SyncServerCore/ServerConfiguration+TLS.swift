import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL

extension ServerConfiguration {
    /// Plain HTTP/1.1 with the WebSocket upgrade of the live route, or HTTPS only when a certificate and
    /// key are configured; with the idle timeout and the connection limit either way.
    func httpServer(metrics: ServerMetrics, webSocketRouter: Router<SyncRequestContext>) throws -> HTTPServerBuilder {
        let connections = ConnectionLimitHandler.Count(limit: maxConnections, metrics: metrics)
        let webSocketResponder = webSocketRouter.buildResponder()
        let idleTimeout = TimeAmount.seconds(Int64(idleTimeoutSeconds))
        let http = HTTPServerBuilder { responder in
            LimitedChildChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(
                        http1: .init(idleTimeout: .seconds(Int64(idleTimeoutSeconds))),
                        ws: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(30))))),
                connections: connections, firstBytesTimeout: idleTimeout)
        }
        switch (tlsCertificatePath, tlsKeyPath) {
        case (nil, nil):
            return http
        case (let certificate?, let key?):
            let chain: [NIOSSLCertificate]
            let privateKey: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificate)
            } catch {
                throw AdminError("Das Zertifikat „\(certificate)“ lässt sich nicht lesen (PEM erwartet): \(error)")
            }
            do {
                privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            } catch {
                throw AdminError("Der Schlüssel „\(key)“ lässt sich nicht lesen (PEM erwartet): \(error)")
            }
            guard !chain.isEmpty else { throw AdminError("Die Datei „\(certificate)“ enthält kein Zertifikat.") }
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) },
                privateKey: .privateKey(privateKey))
            return try HTTPServerBuilder.tls(http, tlsConfiguration: tls)
        default:
            throw AdminError("Für TLS sind --tls-cert und --tls-key beide nötig.")
        }
    }
}

/// Counts every connection against `maxConnections` from its first moment, whether it stays HTTP or
/// becomes a WebSocket (the upgrade channel adds its HTTP handlers only after the first request head,
/// and none to an upgraded connection), and closes one whose first request head is not complete within
/// the idle timeout. Added after TLS (when configured) and before the HTTP decoder, so both see the
/// plain bytes of the connection.
struct LimitedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    let base: Base
    let connections: ConnectionLimitHandler.Count
    let firstBytesTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Base.Value> {
        do {
            try channel.pipeline.syncOperations.addHandlers([
                ConnectionLimitHandler(count: connections), RequestHeadDeadlineHandler(timeout: firstBytesTimeout),
            ])
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes a connection whose first request head (up to the empty line) has not arrived within
/// `timeout`; removes itself once it has. Later requests on the connection fall under the HTTP idle
/// timeout, an upgraded connection under the WebSocket's ping.
final class RequestHeadDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// The last bytes seen, to find „\r\n\r\n“ across reads.
    private var tail: [UInt8] = []

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        tail += buffer.readableBytesView
        let complete =
            tail.count >= 4
            && tail.indices.dropLast(3).contains { index in
                tail[index] == 13 && tail[index + 1] == 10 && tail[index + 2] == 13 && tail[index + 3] == 10
            }
        tail = Array(tail.suffix(3))
        context.fireChannelRead(data)
        if complete {
            deadline?.cancel()
            deadline = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
