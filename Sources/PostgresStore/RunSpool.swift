// Runs the shared store could not take, kept on local disk until it can (also across a restart).
import Foundation
import Metering
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An append-only file of ledger rows waiting for the shared store: one JSON object per line,
/// `{"run":{…}}` when a row is kept and `{"done":"<run id>"}` once the store has it. Each append is
/// fsynced before the caller is answered, so a row survives a crash of the replica; the file is
/// emptied when nothing is left. Replaying is safe because the store ignores a run id it already
/// has: a row is written to the store exactly once, even if the replica died between the store's
/// commit and the `done` line.
///
/// The file is locked (`flock`) for the life of the process: two replicas must not share one.
public final class RunSpool: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private struct State {
        var fd: Int32
        var pending: [RunRecord]
    }

    public let path: String
    private let state: Mutex<State>

    /// Opens (creating) the spool at `path` and loads the rows still pending.
    /// - Throws: `Failure` when the file cannot be opened, is locked by another process, or is unreadable.
    public init(path: String) throws(Failure) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot open the pending-runs file \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw Failure(description: "the pending-runs file \(path) is in use by another process (each replica needs its own)")
        }
        let pending: [RunRecord]
        do throws(Failure) {
            pending = try Self.load(fd: fd, path: path)
        } catch {
            close(fd)
            throw error
        }
        state = Mutex(State(fd: fd, pending: pending))
    }

    deinit {
        _ = state.withLock { close($0.fd) }
    }

    /// Rows waiting for the store, oldest first.
    public var pending: [RunRecord] { state.withLock { $0.pending } }
    public var count: Int { state.withLock { $0.pending.count } }
    public var isEmpty: Bool { count == 0 }

    /// Whether a row with this run id waits in the spool.
    public func contains(runId: String) -> Bool { state.withLock { $0.pending.contains { $0.runId == runId } } }

    /// Keeps `record` durably (written and fsynced before returning).
    public func append(_ record: RunRecord) throws(Failure) {
        let line = Self.encode(record)
        try state.withLock { s throws(Failure) in
            guard !s.pending.contains(where: { $0.runId == record.runId }) else { return }
            try Self.write(line, to: s.fd, path: path)
            s.pending.append(record)
        }
    }

    /// Marks `runId` as stored; empties the file once nothing is pending.
    public func markDone(_ runId: String) throws(Failure) {
        try state.withLock { s throws(Failure) in
            guard let index = s.pending.firstIndex(where: { $0.runId == runId }) else { return }
            s.pending.remove(at: index)
            if s.pending.isEmpty {
                guard ftruncate(s.fd, 0) == 0, fsync(s.fd) == 0 else {
                    throw Failure(description: "cannot empty the pending-runs file \(path): \(String(cString: strerror(errno)))")
                }
            } else {
                try Self.write(Self.doneLine(runId), to: s.fd, path: path)
            }
        }
    }

    // MARK: Encoding

    private struct Row: Codable {
        var runId: String
        var threadId: String
        var account: String?
        var demandStage: String?
        var model: String?
        var usage: TokenUsage
        var usageSource: UsageSource
        var status: String
        var costUSD: Double?
        var startedAt: Double
        var finishedAt: Double
        var streaming: Bool
        var recordedAt: Double?
        /// Absent in lines written before the drop-in surfaces: `query`.
        var surface: String?
    }

    private struct Line: Codable {
        var run: Row?
        var done: String?
    }

    private static func encode(_ r: RunRecord) -> Data {
        let row = Row(runId: r.runId, threadId: r.threadId, account: r.account, demandStage: r.demandStage, model: r.model,
                      usage: r.usage, usageSource: r.usageSource, status: PostgresUsageStore.statusText(r), costUSD: r.costUSD,
                      startedAt: r.startedAt, finishedAt: r.finishedAt, streaming: r.streaming, recordedAt: r.recordedAt,
                      surface: r.surface.rawValue)
        return line(Line(run: row))
    }

    private static func doneLine(_ runId: String) -> Data { line(Line(done: runId)) }

    private static func line(_ value: Line) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = (try? encoder.encode(value)) ?? Data()
        data.append(0x0A)
        return data
    }

    private static func decode(_ row: Row) -> RunRecord? {
        guard let status = PostgresUsageStore.status(row.status) else { return nil }
        return RunRecord(runId: row.runId, threadId: row.threadId, account: row.account, demandStage: row.demandStage, model: row.model,
                         usage: row.usage, usageSource: row.usageSource, status: status, costUSD: row.costUSD,
                         startedAt: row.startedAt, finishedAt: row.finishedAt, streaming: row.streaming, recordedAt: row.recordedAt,
                         surface: row.surface.flatMap(RunSurface.init(rawValue:)) ?? .query)
    }

    private static func write(_ data: Data, to fd: Int32, path: String) throws(Failure) {
        let written = data.withUnsafeBytes { buffer -> Int in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return -1 }
                offset += n
            }
            return offset
        }
        guard written == data.count, fsync(fd) == 0 else {
            throw Failure(description: "cannot write the pending-runs file \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func load(fd: Int32, path: String) throws(Failure) -> [RunRecord] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw Failure(description: "cannot read the pending-runs file \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += buffer[0..<n]
            offset += off_t(n)
        }
        var pending: [RunRecord] = []
        let decoder = JSONDecoder()
        for line in bytes.split(separator: 0x0A) {
            // A line cut short by a crash was never fsynced, so its append never returned: skip it.
            guard let parsed = try? decoder.decode(Line.self, from: Data(line)) else { continue }
            if let row = parsed.run, let record = decode(row), !pending.contains(where: { $0.runId == record.runId }) {
                pending.append(record)
            } else if let done = parsed.done {
                pending.removeAll { $0.runId == done }
            }
        }
        return pending
    }
}
