import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

extension ServerConfiguration {
    /// Plain HTTP/1.1, or HTTPS only when a certificate and key are configured; with the idle timeout
    /// and the connection limit either way.
    func httpServer(metrics: ServerMetrics) throws -> HTTPServerBuilder {
        let connections = ConnectionLimitHandler.Count(limit: maxConnections, metrics: metrics)
        let http = HTTPServerBuilder.http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [ConnectionLimitHandler(count: connections)],
                idleTimeout: .seconds(Int64(idleTimeoutSeconds))))
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
