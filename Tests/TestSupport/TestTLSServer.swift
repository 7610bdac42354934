// A TLS terminator for tests: accepts TLS on loopback and forwards the plaintext to a plain-HTTP
// backend (the mock upstream, a scripted server), counting handshakes and application bytes.
import COpenSSL
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Listens on 127.0.0.1:0 with `leaf`'s certificate; a thread per connection does `SSL_accept` on
/// a blocking socket and then relays bytes both ways to `backendPort`.
public final class TestTLSServer: @unchecked Sendable {  // the context is only read after init; counters behind a Mutex
    public struct Counts: Sendable {
        /// Handshakes that completed (a connection each).
        public var handshakes = 0
        /// Of those, how many resumed an earlier session.
        public var resumed = 0
        /// Handshakes the client (or the server) aborted.
        public var failedHandshakes = 0
        /// Plaintext bytes the clients sent after a handshake (request bytes).
        public var applicationBytes = 0
        /// The last failed handshake's OpenSSL reason, as the server saw it.
        public var lastFailure = ""
    }

    private var listener: LoopbackListener?
    private let context: OpaquePointer
    private let backendPort: Int
    private let counts = Mutex(Counts())
    private let stopping = Atomic<Bool>(false)

    public var port: Int { listener?.port ?? 0 }

    public init(leaf: TestCertificates.Leaf, backendPort: Int) throws {
        signal(SIGPIPE, SIG_IGN)  // SSL_write on a socket the client closed
        guard let context = SSL_CTX_new(TLS_server_method()),
              SSL_CTX_use_certificate_chain_file(context, leaf.certificate) == 1,
              SSL_CTX_use_PrivateKey_file(context, leaf.key, SSL_FILETYPE_PEM) == 1 else {
            throw TestTLSServerError.context
        }
        self.context = context
        self.backendPort = backendPort
        listener = try LoopbackListener { [unowned self] client, _ in serve(client) }
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// What the server has seen so far.
    public var seen: Counts { counts.withLock { $0 } }

    /// Stops accepting (connections already relaying finish on their own).
    public func stop() {
        stopping.store(true, ordering: .releasing)
        listener?.stop()
    }

    private func serve(_ client: Int32) {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let ssl = SSL_new(context) else { return }
        defer { SSL_free(ssl) }
        SSL_set_fd(ssl, client)
        ERR_clear_error()
        guard SSL_accept(ssl) == 1 else {
            var reason = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(ERR_get_error(), &reason, reason.count)
            let text = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            counts.withLock {
                $0.failedHandshakes += 1
                $0.lastFailure = text
            }
            return
        }
        let resumed = SSL_session_reused(ssl) == 1
        counts.withLock {
            $0.handshakes += 1
            if resumed { $0.resumed += 1 }
        }
        guard let backend = try? LoopbackListener.connect(port: backendPort) else { return }
        defer { close(backend) }
        relay(ssl, client: client, backend: backend)
        SSL_shutdown(ssl)
    }

    /// Moves bytes both ways until either side closes.
    private func relay(_ ssl: OpaquePointer, client: Int32, backend: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: backend, events: Int16(POLLIN), revents: 0)]
        while !stopping.load(ordering: .acquiring) {
            if SSL_pending(ssl) == 0 {
                fds[0].revents = 0
                fds[1].revents = 0
                let ready = poll(&fds, 2, 100)
                if ready <= 0 { continue }
            } else {
                fds[0].revents = Int16(POLLIN)
            }
            if fds[0].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
                guard n > 0 else { return }
                counts.withLock { $0.applicationBytes += Int(n) }
                guard LoopbackListener.send(backend, buffer[..<Int(n)]) else { return }
            }
            if fds[1].revents != 0 {
                let n = recv(backend, &buffer, buffer.count, 0)
                guard n > 0 else { return }
                let written = buffer.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(n)) }
                guard written == n else { return }
            }
        }
    }
}

public enum TestTLSServerError: Error {
    case context
}
