// A throwaway PostgreSQL server for tests: initdb into a temp dir, pg_ctl on a free loopback port.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster in a temporary directory, listening on 127.0.0.1 only.
///
/// The server binaries come from `POSTGRES_BIN` or `/usr/lib/postgresql/<newest>/bin`. initdb refuses
/// to run as root, so as root the cluster belongs to the `postgres` user (`runuser -u postgres --`).
/// Durability settings are relaxed (`fsync=off`): tests measure correctness, not disks.
/// Always `stop()` it (tests use `withTestPostgres`).
public final class TestPostgres: Sendable {
    public let directory: String
    public let port: Int
    public let binaries: String
    private let runAsPostgresUser: Bool

    /// `postgres://threadmeter@127.0.0.1:PORT/threadmeter`.
    public var url: String { "postgres://threadmeter@127.0.0.1:\(port)/threadmeter" }

    /// Where the server binaries are, or nil when PostgreSQL is not installed.
    public static var binaryDirectory: String? {
        if let configured = ProcessInfo.processInfo.environment["POSTGRES_BIN"] { return configured }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl") {
            return "\(root)/\(version)/bin"
        }
        return nil
    }

    public static var isAvailable: Bool { binaryDirectory != nil }

    /// Creates and starts a cluster (blocking: call it off the cooperative pool).
    public init() throws {
        guard let binaries = Self.binaryDirectory else { throw TestPostgresError("PostgreSQL server binaries not found (install the postgresql package)") }
        self.binaries = binaries
        runAsPostgresUser = getuid() == 0
        var template = Array("/tmp/threadmeter-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestPostgresError("mkdtemp failed: errno \(errno)") }
        directory = String(cString: made)
        if runAsPostgresUser {
            guard let user = getpwnam("postgres") else { throw TestPostgresError("running as root but there is no postgres user") }
            chown(directory, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        port = try Self.freePort()
        try run("initdb", ["-D", "\(directory)/data", "-U", "threadmeter", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"])
        let config = """
        listen_addresses = '127.0.0.1'
        port = \(port)
        unix_socket_directories = '\(directory)'
        fsync = off
        synchronous_commit = off
        full_page_writes = off
        max_connections = 100
        shared_buffers = 32MB
        """
        try (config + "\n").appendLine(to: "\(directory)/data/postgresql.conf")
        try start()
        try run("createdb", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "threadmeter", "threadmeter"])
    }

    /// Starts the (stopped) server and waits until it accepts connections.
    public func start() throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "30", "start"])
    }

    /// Stops the server (`fast`: connections are terminated, like an operator's stop).
    public func stop(mode: String = "fast") throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-m", mode, "-w", "-t", "30", "stop"])
    }

    /// Runs SQL through psql as the superuser (blocking) and returns its unaligned output.
    @discardableResult
    public func psql(_ sql: String, database: String = "threadmeter") throws -> String {
        try run("psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "threadmeter", "-d", database, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql])
    }

    /// Stops the server if it runs and removes the directory.
    public func destroy() {
        _ = try? stop(mode: "immediate")
        try? FileManager.default.removeItem(atPath: directory)
    }

    @discardableResult
    private func run(_ tool: String, _ arguments: [String]) throws -> String {
        let path = "\(binaries)/\(tool)"
        let result: ChildResult
        if runAsPostgresUser {
            result = try ChildProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments, environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"])
        } else {
            result = try ChildProcess.run(path, arguments, environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"])
        }
        guard result.status == 0 else {
            throw TestPostgresError("\(tool) failed (\(result.status)): \(result.stderr.isEmpty ? result.stdout : result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A loopback port nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestPostgresError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestPostgresError("bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs `body` with a fresh server, always destroying it after.
public func withTestPostgres<T: Sendable>(_ body: (TestPostgres) async throws -> T) async throws -> T {
    let server = try await offCooperativePool { try TestPostgres() }
    do {
        let result = try await body(server)
        try? await offCooperativePool { server.destroy() }
        return result
    } catch {
        try? await offCooperativePool { server.destroy() }
        throw error
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

private extension String {
    func appendLine(to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw TestPostgresError("cannot open \(path)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(utf8))
    }
}
