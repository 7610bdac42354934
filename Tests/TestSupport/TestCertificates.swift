// Certificates for TLS tests, made once per process with the openssl command-line tool.
import Foundation

/// A test CA and leaves signed by it, in a temporary directory: `localhost` (also `upstream.test`, a
/// name only `TestProxy` knows, and the IP SAN 127.0.0.1), an expired `localhost`, one for another host name, and a `localhost` leaf signed by a
/// CA nobody trusts. EC P-256 keys (fast to make).
public struct TestCertificates: Sendable {
    /// A certificate file and its key file.
    public struct Leaf: Sendable {
        public let certificate: String
        public let key: String
    }

    public let directory: String
    /// The trusted test CA (what `UPSTREAM_CA_FILE` points at).
    public let caFile: String
    public let localhost: Leaf
    public let expired: Leaf
    public let otherHost: Leaf
    public let untrusted: Leaf

    /// Which leaf.
    public enum Kind: String, Sendable, CaseIterable {
        case localhost, expired, otherHost, untrusted
    }

    public subscript(_ kind: Kind) -> Leaf {
        switch kind {
        case .localhost: localhost
        case .expired: expired
        case .otherHost: otherHost
        case .untrusted: untrusted
        }
    }

    /// Made on first use (off the cooperative pool: it waits for openssl processes, and callers
    /// arriving meanwhile wait for the same result); throws when the tool is missing or fails.
    public static func shared() async throws -> TestCertificates {
        try await offCooperativePool { try made.get() }
    }

    private static let made: Result<TestCertificates, Error> = Result { try TestCertificates() }

    private init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("threadmeter-tls-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        func path(_ name: String) -> String { directory + "/" + name }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let caExtensions = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
        for ca in ["ca", "rogue-ca"] {
            try Self.openssl(["req", "-x509"] + ec + ["-keyout", path("\(ca).key"), "-out", path("\(ca).pem"), "-days", "30",
                                                     "-subj", "/CN=ThreadMeter test \(ca)"] + caExtensions)
        }
        func request(_ name: String, _ subject: String) throws {
            try Self.openssl(["req"] + ec + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", subject])
        }
        func extensions(_ name: String, _ names: String) throws {
            try "subjectAltName=\(names)\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                .write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        }
        func sign(_ name: String, by ca: String) throws {
            try Self.openssl(["x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).pem"), "-CAkey", path("\(ca).key"),
                              "-set_serial", String(Int.random(in: 1000...999_999)), "-days", "30",
                              "-out", path("\(name).pem"), "-extfile", path("\(name).ext")])
        }
        for (name, subject, names, ca) in [("localhost", "/CN=localhost", "DNS:localhost,DNS:upstream.test,IP:127.0.0.1", "ca"),
                                           ("other-host", "/CN=localhost", "DNS:other.example", "ca"),
                                           ("untrusted", "/CN=localhost", "DNS:localhost,IP:127.0.0.1", "rogue-ca")] {
            try request(name, subject)
            try extensions(name, names)
            try sign(name, by: ca)
        }
        // Expired: `openssl x509` (3.0) cannot backdate, `openssl ca` can.
        try request("expired", "/CN=localhost")
        try extensions("expired", "DNS:localhost,IP:127.0.0.1")
        try FileManager.default.createDirectory(atPath: path("ca-db"), withIntermediateDirectories: true)
        try "".write(toFile: path("ca-db/index.txt"), atomically: true, encoding: .utf8)
        try "1000\n".write(toFile: path("ca-db/serial"), atomically: true, encoding: .utf8)
        try """
        [ca]
        default_ca = test_ca
        [test_ca]
        database = \(path("ca-db/index.txt"))
        new_certs_dir = \(path("ca-db"))
        serial = \(path("ca-db/serial"))
        policy = any_name
        default_md = sha256
        [any_name]
        commonName = supplied
        """.write(toFile: path("ca.cnf"), atomically: true, encoding: .utf8)
        try Self.openssl(["ca", "-batch", "-config", path("ca.cnf"), "-cert", path("ca.pem"), "-keyfile", path("ca.key"),
                          "-in", path("expired.csr"), "-out", path("expired.pem"), "-extfile", path("expired.ext"),
                          "-startdate", "20200101000000Z", "-enddate", "20200201000000Z"])
        caFile = path("ca.pem")
        localhost = Leaf(certificate: path("localhost.pem"), key: path("localhost.key"))
        expired = Leaf(certificate: path("expired.pem"), key: path("expired.key"))
        otherHost = Leaf(certificate: path("other-host.pem"), key: path("other-host.key"))
        untrusted = Leaf(certificate: path("untrusted.pem"), key: path("untrusted.key"))
    }

    private static func openssl(_ arguments: [String]) throws {
        let tool = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let tool else { throw TestCertificateError.noOpenSSL }
        let result = try ChildProcess.run(tool, arguments)
        guard result.status == 0 else {
            throw TestCertificateError.failed("openssl \(arguments.prefix(2).joined(separator: " ")): \(result.stderr)")
        }
    }
}

public enum TestCertificateError: Error {
    case noOpenSSL
    case failed(String)
}
