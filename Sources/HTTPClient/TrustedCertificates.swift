// Extra trusted CA certificates from a PEM file.
import EventLoops
import COpenSSL
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The certificates of a PEM file (`UPSTREAM_CA_FILE`), parsed with OpenSSL. Loading fails, with a
/// one-line reason, when the file cannot be read, holds no certificate, or has a certificate block
/// that does not parse. Other PEM blocks (keys, parameters) are ignored.
public struct TrustedCertificates: @unchecked Sendable {  // X509 pointers are immutable once parsed
    /// Owned `X509 *` values, freed by `release()`.
    let certificates: [OpaquePointer]

    /// Parses every certificate in the PEM file at `path`.
    public static func load(path: String) throws(HTTPClientError) -> TrustedCertificates {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = access(path, R_OK) == 0 ? "unreadable" : SystemError.text(errno)
            throw .invalidRequest("cannot read CA file \(path): \(reason)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var certificates: [OpaquePointer] = []
        var remaining = Substring(text)
        var index = 0
        while let begin = remaining.range(of: "-----BEGIN ") {
            index += 1
            let labelEnd = remaining[begin.upperBound...].range(of: "-----")
            let label = labelEnd.map { String(remaining[begin.upperBound..<$0.lowerBound]) } ?? ""
            guard let labelEnd, let end = remaining[labelEnd.upperBound...].range(of: "-----END \(label)-----") else {
                free(certificates)
                throw .invalidRequest("CA file \(path): PEM block \(index) has no matching END line")
            }
            let block = String(remaining[begin.lowerBound..<end.upperBound]) + "\n"
            remaining = remaining[end.upperBound...]
            guard label.hasSuffix("CERTIFICATE") else { continue }
            ERR_clear_error()
            let certificate: OpaquePointer? = block.withCString { pointer in
                guard let bio = BIO_new_mem_buf(pointer, Int32(strlen(pointer))) else { return nil }
                defer { BIO_free(bio) }
                return PEM_read_bio_X509(bio, nil, nil, nil)
            }
            guard let certificate else {
                free(certificates)
                throw .invalidRequest("CA file \(path): PEM block \(index) (\(label)) does not parse: \(TLSContext.openSSLErrors())")
            }
            certificates.append(certificate)
        }
        guard !certificates.isEmpty else {
            throw .invalidRequest("CA file \(path) holds no PEM certificate")
        }
        return TrustedCertificates(certificates: certificates)
    }

    /// The problem with the CA file at `path`, or nil when it loads.
    public static func problem(path: String) -> String? {
        do {
            try load(path: path).release()
            return nil
        } catch {
            return error.message
        }
    }

    /// Frees the certificates (a store they were added to keeps its own references).
    func release() {
        Self.free(certificates)
    }

    private static func free(_ certificates: [OpaquePointer]) {
        for certificate in certificates { X509_free(certificate) }
    }
}
