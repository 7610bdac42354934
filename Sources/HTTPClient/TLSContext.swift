// The client's OpenSSL context: what it trusts, protocol limits, ALPN and the session cache.
import COpenSSL
import Synchronization

/// One `SSL_CTX` per client: TLS 1.2 or newer, peer verification always on against the system's
/// default store (`SSL_CERT_FILE` / `SSL_CERT_DIR` honoured) plus the configured CA file, ALPN
/// `http/1.1`, and the last session per origin kept for resumption on the next connection.
final class TLSContext: @unchecked Sendable {  // SSL_CTX is thread-safe once configured; sessions behind a Mutex
    let context: OpaquePointer
    private let sessions = Mutex<[String: Session]>([:])

    /// An owned `SSL_SESSION *` (immutable once made; OpenSSL reference-counts it thread-safely).
    private struct Session: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    init(caFile: String?) throws(HTTPClientError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw .tlsFailed("cannot create a TLS context: \(Self.openSSLErrors())")
        }
        self.context = context
        _ = threadmeter_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        guard SSL_CTX_set_default_verify_paths(context) == 1 else {
            SSL_CTX_free(context)
            throw .tlsFailed("cannot load the system's trusted certificates: \(Self.openSSLErrors())")
        }
        if let caFile {
            let trusted: TrustedCertificates
            do {
                trusted = try TrustedCertificates.load(path: caFile)
            } catch {
                SSL_CTX_free(context)
                throw .tlsFailed(error.message)
            }
            let store = SSL_CTX_get_cert_store(context)
            for certificate in trusted.certificates { _ = X509_STORE_add_cert(store, certificate) }
            trusted.release()
        }
        let alpn: [UInt8] = [8] + Array("http/1.1".utf8)
        _ = SSL_CTX_set_alpn_protos(context, alpn, UInt32(alpn.count))
        _ = threadmeter_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
        SSL_CTX_sess_set_new_cb(context) { ssl, session in
            guard let ssl, let session, let engine = threadmeter_SSL_get_app_data(ssl) else { return 0 }
            let tls = Unmanaged<TLSEngine>.fromOpaque(engine).takeUnretainedValue()
            tls.context.store(session, for: tls.sessionKey)
            return 1  // the reference is ours now
        }
    }

    deinit {
        for session in sessions.withLock({ Array($0.values) }) { SSL_SESSION_free(session.pointer) }
        SSL_CTX_free(context)
    }

    /// Keeps `session` (taking its reference) as the one to resume for `key`.
    func store(_ session: OpaquePointer, for key: String) {
        let previous = sessions.withLock { sessions -> Session? in
            defer { sessions[key] = Session(pointer: session) }
            return sessions[key]
        }
        if let previous { SSL_SESSION_free(previous.pointer) }
    }

    /// Offers the last session for `key` to `ssl` for resumption.
    func resumeSession(_ ssl: OpaquePointer, for key: String) {
        sessions.withLock { sessions in
            if let session = sessions[key] { _ = SSL_set_session(ssl, session.pointer) }
        }
    }

    /// The reasons in this thread's OpenSSL error queue, joined (and the queue cleared).
    static func openSSLErrors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "unknown error" : reasons.joined(separator: "; ")
    }
}
