// A throwaway PostgreSQL server for tests: initdb into a temp dir, pg_ctl on a free loopback port.
import Foundation
import Synchronization
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
    public var url: String { url(database: "threadmeter") }

    /// The URL of one database of this server.
    public func url(database: String) -> String { "postgres://threadmeter@127.0.0.1:\(port)/\(database)" }

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
    public convenience init() throws {
        try self.init(maxConnections: 100)
    }

    init(maxConnections: Int) throws {
        guard let binaries = Self.binaryDirectory else { throw TestPostgresError("PostgreSQL server binaries not found (install the postgresql package)") }
        self.binaries = binaries
        runAsPostgresUser = getuid() == 0
        var template = Array("/tmp/threadmeter-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestPostgresError("mkdtemp failed: errno \(errno)") }
        directory = String(cString: made)
        if runAsPostgresUser {
            guard let user = getpwnam("postgres") else {
                try? FileManager.default.removeItem(atPath: directory)
                throw TestPostgresError("running as root but there is no postgres user")
            }
            chown(directory, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        do {
            port = try Self.freePort()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        do {
            try run("initdb", ["-D", "\(directory)/data", "-U", "threadmeter", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"])
            let config = """
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(directory)'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = \(maxConnections)
            shared_buffers = 32MB
            """
            try (config + "\n").appendLine(to: "\(directory)/data/postgresql.conf")
            try start()
            try run("createdb", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "threadmeter", "threadmeter"])
        } catch {
            _ = try? run("pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "stop"])
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Starts the (stopped) server and waits until it accepts connections.
    public func start() throws {
        try run("pg_ctl", ["-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "30", "start"])
    }

    /// Whether the server runs (`pg_ctl status`).
    public var isRunning: Bool { (try? run("pg_ctl", ["-D", "\(directory)/data", "status"])) != nil }

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

/// One server for the whole test process, started on first use and destroyed at exit; tests get a
/// database of their own on it (`withTestDatabase`), so the suite does not start a server per test.
/// Tests that stop and start a server take the other one, one test at a time
/// (`withTestPostgres`): two servers in all, however many tests.
public actor SharedTestPostgres {
    /// Shared by every `withTestDatabase`.
    public static let shared = SharedTestPostgres(maxConnections: 400)
    /// Lent to one `withTestPostgres` at a time.
    public static let exclusive = SharedTestPostgres(maxConnections: 100)

    private let maxConnections: Int
    private var starting: Task<TestPostgres, any Error>?
    private var lent = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    public func server() async throws -> TestPostgres {
        if let starting { return try await starting.value }
        let maxConnections = self.maxConnections
        let task = Task { try await offCooperativePool { try TestPostgres(maxConnections: maxConnections) } }
        starting = task
        let server = try await task.value
        serversForExit.withLock { $0.append(server) }
        if serversForExit.withLock({ $0.count }) == 1 {
            atexit { for server in serversForExit.withLock({ $0 }) { server.destroy() } }
        }
        return server
    }

    /// Waits until no other test holds the server, then lends it (running, with a fresh
    /// `threadmeter` database).
    func borrow() async throws -> TestPostgres {
        while lent {
            await withCheckedContinuation { waiting.append($0) }
        }
        lent = true
        do {
            let server = try await server()
            try await offCooperativePool {
                if !server.isRunning { try server.start() }
                try server.psql("DROP DATABASE IF EXISTS threadmeter WITH (FORCE)", database: "postgres")
                try server.psql("CREATE DATABASE threadmeter", database: "postgres")
            }
            return server
        } catch {
            giveBack()
            throw error
        }
    }

    func giveBack() {
        lent = false
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }
}

private let serversForExit = Mutex<[TestPostgres]>([])

/// A database of its own on the shared server.
public struct TestDatabase: Sendable {
    public let server: TestPostgres
    public let name: String
    public var url: String { server.url(database: name) }

    /// Runs SQL in this database through psql (blocking).
    @discardableResult
    public func psql(_ sql: String) throws -> String { try server.psql(sql, database: name) }
}

/// Runs `body` with a fresh database on the shared server, dropping it after.
public func withTestDatabase<T: Sendable>(_ body: (TestDatabase) async throws -> T) async throws -> T {
    let server = try await SharedTestPostgres.shared.server()
    let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    try await offCooperativePool { try server.psql("CREATE DATABASE \(name)") }
    let database = TestDatabase(server: server, name: name)
    do {
        let result = try await body(database)
        _ = try? await offCooperativePool { try server.psql("DROP DATABASE \(name) WITH (FORCE)") }
        return result
    } catch {
        _ = try? await offCooperativePool { try server.psql("DROP DATABASE \(name) WITH (FORCE)") }
        throw error
    }
}

/// Runs `body` with a server it may stop and start (one test at a time; a fresh `threadmeter`
/// database each time).
public func withTestPostgres<T: Sendable>(_ body: (TestPostgres) async throws -> T) async throws -> T {
    let server = try await SharedTestPostgres.exclusive.borrow()
    do {
        let result = try await body(server)
        await SharedTestPostgres.exclusive.giveBack()
        return result
    } catch {
        await SharedTestPostgres.exclusive.giveBack()
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
