// TLS for one connection over memory BIOs: the connection moves ciphertext, OpenSSL never touches the socket.
import COpenSSL

/// A client `SSL` whose input and output are memory buffers, so the connection's non-blocking socket,
/// its Dispatch sources and its backpressure stay in charge (and writes use MSG_NOSIGNAL). Used only
/// on the connection's event loop.
final class TLSEngine {
    enum Step {
        case done
        /// Needs more ciphertext from the peer (after sending what `takeOutput` returns).
        case wantRead
        case failed(String)
    }

    enum Read {
        case data(Int)
        case wantRead
        /// The peer sent close_notify.
        case closed
        case failed(String)
    }

    let context: TLSContext
    let sessionKey: String
    private let ssl: OpaquePointer
    private let input: OpaquePointer
    private let output: OpaquePointer
    private let peer: String

    /// Sets up verification of `origin`: its DNS name (also sent as SNI) or its IP address (no SNI);
    /// never the subject CN.
    init(context: TLSContext, origin: HTTPOrigin) throws(HTTPClientError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else {
            throw .tlsFailed("cannot create a TLS connection to \(origin): \(TLSContext.openSSLErrors())")
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .tlsFailed("cannot create TLS buffers for \(origin)")
        }
        self.context = context
        self.ssl = ssl
        self.input = input
        self.output = output
        peer = origin.description
        sessionKey = origin.description
        SSL_set_bio(ssl, input, output)  // the SSL owns both now
        SSL_set_connect_state(ssl)
        SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        let configured: Bool
        if origin.hostIsIPAddress {
            configured = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), origin.host) == 1
        } else {
            configured = SSL_set1_host(ssl, origin.host) == 1 && threadmeter_SSL_set_tlsext_host_name(ssl, origin.host) == 1
        }
        guard configured else {
            // Fully initialised: deinit frees the SSL.
            throw .tlsFailed("TLS cannot verify the host name \(origin.host): \(TLSContext.openSSLErrors())")
        }
        _ = threadmeter_SSL_set_app_data(ssl, Unmanaged.passUnretained(self).toOpaque())
        context.resumeSession(ssl, for: sessionKey)
    }

    deinit {
        SSL_free(ssl)
    }

    /// Advances the handshake.
    func handshake() -> Step {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantRead
        default:
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verify))
                ERR_clear_error()
                return .failed("TLS handshake with \(peer) failed: certificate verify failed: \(reason)")
            }
            return .failed("TLS handshake with \(peer) failed: \(TLSContext.openSSLErrors())")
        }
    }

    /// Whether the last handshake resumed a session.
    var resumedSession: Bool { SSL_session_reused(ssl) == 1 }

    /// Ciphertext received from the peer.
    func feed(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        _ = BIO_write(input, base, Int32(bytes.count))
    }

    /// Encrypts `plaintext` (all of it: the output buffer grows); false if the connection is broken.
    func write(_ plaintext: [UInt8]) -> Bool {
        guard !plaintext.isEmpty else { return true }
        ERR_clear_error()
        let written = plaintext.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        if written <= 0 { ERR_clear_error() }
        return written == plaintext.count
    }

    /// Decrypts into `buffer`.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Read {
        ERR_clear_error()
        let n = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if n > 0 { return .data(Int(n)) }
        switch SSL_get_error(ssl, n) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .wantRead
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        default:
            return .failed("TLS error from \(peer): \(TLSContext.openSSLErrors())")
        }
    }

    /// Starts a clean close (close_notify, returned by `takeOutput`); without it OpenSSL would
    /// mark the connection's session as not resumable when the `SSL` is freed.
    func close() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// Moves the ciphertext OpenSSL produced to the end of `outbound`.
    func takeOutput(into outbound: inout [UInt8]) {
        var pending = Int(threadmeter_BIO_pending(output))
        while pending > 0 {
            let start = outbound.count
            outbound.append(contentsOf: repeatElement(0, count: pending))
            let n = outbound.withUnsafeMutableBytes { BIO_read(output, $0.baseAddress! + start, Int32(pending)) }
            outbound.removeLast(pending - max(0, Int(n)))
            guard n > 0 else { return }
            pending = Int(threadmeter_BIO_pending(output))
        }
    }
}
