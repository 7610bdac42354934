// Child processes for tests on posix_spawn: Foundation's Process.run crashed (its /proc/self/fd scan
// read past a dirent name) in about 1 of 25 full test runs, taking the whole test process down.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Synchronization

/// What a finished child printed and how it exited.
public struct ChildResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Spawns are serialised so no child inherits another test's pipe ends between pipe() and FD_CLOEXEC.
private let spawnLock = Mutex(())

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), looked up at run time: Swift's Glibc
/// module does not export it.
private let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()

/// A running child with its stdout/stderr pipes.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    /// Read ends of the child's stdout and stderr (owned here; closed by `wait`).
    public let stdoutFD: Int32
    public let stderrFD: Int32
    private let stdinFD: Int32

    /// Starts `path` with `arguments`; `environment` nil inherits ours.
    public init(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        var fds = (stdin: [Int32](repeating: -1, count: 2), stdout: [Int32](repeating: -1, count: 2), stderr: [Int32](repeating: -1, count: 2))
        let spawned: pid_t = try spawnLock.withLock { _ in
            for index in 0..<3 {
                var pair: [Int32] = [-1, -1]
                guard pipe(&pair) == 0 else { throw ChildProcessError.system("pipe", errno) }
                for fd in pair { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                switch index {
                case 0: fds.stdin = pair
                case 1: fds.stdout = pair
                default: fds.stderr = pair
                }
            }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, fds.stdin[0], 0)
            posix_spawn_file_actions_adddup2(&actions, fds.stdout[1], 1)
            posix_spawn_file_actions_adddup2(&actions, fds.stderr[1], 2)
            // Nothing else of ours: sockets made without CLOEXEC (thousands, in the load tests) would
            // otherwise use up the child's descriptor limit (initdb failed with EMFILE).
            if let closeFrom = addCloseFrom { _ = closeFrom(&actions, 3) }
            let argv = ([path] + arguments).map { strdup($0) } + [nil]
            defer { for p in argv { free(p) } }
            let envStrings: [String] = (environment ?? ChildProcess.currentEnvironment()).map { "\($0.key)=\($0.value)" }
            let envp = envStrings.map { strdup($0) } + [nil]
            defer { for p in envp { free(p) } }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
            // The child has its copies; close ours of the child's ends.
            close(fds.stdin[0]); close(fds.stdout[1]); close(fds.stderr[1])
            guard rc == 0 else {
                close(fds.stdin[1]); close(fds.stdout[0]); close(fds.stderr[0])
                throw ChildProcessError.system("posix_spawn \(path)", rc)
            }
            return pid
        }
        pid = spawned
        stdinFD = fds.stdin[1]
        stdoutFD = fds.stdout[0]
        stderrFD = fds.stderr[0]
    }

    static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                result[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return result
    }

    /// Writes `text` to the child's stdin and closes it.
    public func writeInputAndClose(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(stdinFD, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        bytes.removeAll()
        close(stdinFD)
    }

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Reads stdout and stderr to their ends (both at once, so neither pipe fills), then reaps the child.
    /// Blocking: call it off the cooperative pool.
    public func wait() -> ChildResult {
        var out: [UInt8] = [], err: [UInt8] = []
        var open: [(Int32, Bool)] = [(stdoutFD, true), (stderrFD, false)]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !open.isEmpty {
            var pollfds = open.map { pollfd(fd: $0.0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&pollfds, nfds_t(pollfds.count), 1000)
            if ready < 0 && errno != EINTR { break }
            var still: [(Int32, Bool)] = []
            for (index, entry) in open.enumerated() {
                guard pollfds[index].revents != 0 else { still.append(entry); continue }
                let n = buffer.withUnsafeMutableBytes { read(entry.0, $0.baseAddress, $0.count) }
                if n > 0 {
                    if entry.1 { out += buffer[0..<n] } else { err += buffer[0..<n] }
                    still.append(entry)
                } else if n < 0 && errno == EINTR {
                    still.append(entry)
                } else {
                    close(entry.0)
                }
            }
            open = still
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildResult(status: exit, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Runs a program to completion (blocking; call it off the cooperative pool).
    public static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil, input: String = "") throws -> ChildResult {
        let child = try ChildProcess(path, arguments, environment: environment)
        let writer = input
        // Feed stdin on its own thread so a child that writes a lot before reading cannot deadlock us.
        let feeder = Thread2 { child.writeInputAndClose(writer) }
        let result = child.wait()
        feeder.join()
        return result
    }
}

public enum ChildProcessError: Error, CustomStringConvertible {
    case system(String, Int32)
    public var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        }
    }
}

/// A joinable pthread (Foundation's Thread cannot be joined).
final class Thread2: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
        let box = Unmanaged.passRetained(self).toOpaque()
        pthread_create(&thread, nil, { raw in
            let me = Unmanaged<Thread2>.fromOpaque(raw!).takeRetainedValue()
            me.body()
            return nil
        }, box)
    }

    func join() { pthread_join(thread, nil) }
}
