// A small pool of libpq connections driven without blocking: one serial queue, one epoll set.
import CEpoll
import Foundation
import CLibPQ
import Dispatch
import Synchronization
import Telemetry
#if canImport(Glibc)
import Glibc
#endif

/// A fixed number of PostgreSQL connections, all driven by libpq's asynchronous API
/// (`PQconnectStartParams`/`PQconnectPoll`, `PQsendQueryPrepared`, `PQconsumeInput`/`PQisBusy`/
/// `PQgetResult`) on one serial Dispatch queue. Their sockets sit in one epoll set watched by one
/// Dispatch read source, so no thread ever waits on the network: callers suspend on a continuation
/// that the queue resumes when the results are in. Event loops are never blocked.
///
/// Requests wait in FIFO order for a free connection. A broken connection is reconnected with
/// exponential backoff; a connection or statement that does not finish in time is dropped (and
/// reconnected). `isHealthy` turns false on a connectivity failure and back to true with the next
/// success; a probe (`SELECT 1`) runs when the pool has had no success for `probeInterval`, so an
/// idle pool notices an outage too.
public final class PostgresPool: @unchecked Sendable {
    /// Limits and timings; every one has its default here.
    public struct Options: Sendable {
        /// Connections in the pool.
        public var size = 4
        /// Longest one connection attempt may take.
        public var connectTimeout: Duration = .seconds(5)
        /// Default longest a request may take, waiting for a connection included.
        public var requestTimeout: Duration = .seconds(10)
        /// How often an otherwise idle pool checks the server.
        public var probeInterval: Duration = .seconds(1)
        /// How long a probe may take before the pool counts the server as gone.
        public var probeTimeout: Duration = .seconds(2)
        /// First and longest pause between connection attempts of one slot.
        public var initialBackoff: Duration = .milliseconds(50)
        public var maxBackoff: Duration = .seconds(2)
        /// `application_name` when the URL sets none.
        public var applicationName = "threadmeter"
        /// Server settings for every connection of this pool (`-c name=value` in libpq's `options`,
        /// after any the URL sets), e.g. `synchronous_commit=off` for writes that are not money.
        public var settings: [(String, String)] = []

        public init() {}
    }

    private enum Waiter {
        case request(PGRequest)
        case pin(deadline: UInt64, completion: (Result<Int, PostgresError>) -> Void)

        var deadline: UInt64 {
            switch self {
            case .request(let r): r.deadline
            case .pin(let d, _): d
            }
        }
    }

    public let url: PostgresURL
    public let options: Options
    private let logger: Logger
    private let queue: DispatchQueue
    private let epfd: Int32
    private let source: any DispatchSourceRead
    private var timer: (any DispatchSourceTimer)?
    private var slots: [PGConnectionSlot]
    private var waiting: [Waiter] = []
    private var waitingHead = 0
    private var closed = false
    private var probing = false
    private var lastSuccess: UInt64 = 0
    private let keywords: [(String, String)]
    private let healthy = Atomic<Bool>(false)
    private let everConnected = Atomic<Bool>(false)
    private let lastErrorText = Mutex<String>("not connected yet")
    private var events: UnsafeMutableBufferPointer<epoll_event>

    /// Starts connecting every slot at once; returns immediately.
    public init(url: PostgresURL, options: Options = Options(), logger: Logger = .noop, label: String = "threadmeter.postgres") {
        self.url = url
        self.options = options
        self.logger = logger
        queue = DispatchQueue(label: label, qos: .userInitiated)
        epfd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epfd >= 0, "epoll_create1 failed: errno \(errno)")
        source = DispatchSource.makeReadSource(fileDescriptor: epfd, queue: queue)
        slots = (0..<max(1, options.size)).map { PGConnectionSlot(index: $0) }
        var extra: [(String, String)] = [("fallback_application_name", options.applicationName)]
        // A dead peer on a silent network is noticed by the probe timeout; keepalives help idle sockets.
        if url["keepalives"] == nil { extra.append(("keepalives", "1")) }
        if url["keepalives_idle"] == nil { extra.append(("keepalives_idle", "10")) }
        if !options.settings.isEmpty {
            let own = options.settings.map { "-c \($0.0)=\($0.1)" }.joined(separator: " ")
            extra.append(("options", [url["options"], own].compactMap { $0 }.joined(separator: " ")))
        }
        keywords = url.keywordsAndValues(adding: extra)
        events = .allocate(capacity: 64)
        events.initialize(repeating: epoll_event())
        let epfd = self.epfd
        source.setEventHandler { @Sendable [unowned self] in self.drainEvents() }
        source.setCancelHandler { @Sendable in _ = Glibc.close(epfd) }
        source.resume()
        queue.async { [self] in
            for slot in slots { startConnect(slot) }
            let timer = DispatchSource.makeTimerSource(queue: queue)
            timer.schedule(deadline: .now() + .milliseconds(50), repeating: .milliseconds(50), leeway: .milliseconds(10))
            timer.setEventHandler { @Sendable [unowned self] in self.tick() }
            timer.resume()
            self.timer = timer
        }
    }

    deinit {
        events.deallocate()
    }

    // MARK: Public API

    /// Whether the server answered recently and no connectivity failure happened since.
    public var isHealthy: Bool { healthy.load(ordering: .acquiring) }

    /// The latest connectivity failure, for logs and startup errors.
    public var lastError: String { lastErrorText.withLock { $0 } }

    /// Runs `steps` on one connection, each after the previous one's results arrived.
    public func execute(_ steps: [PGStep], timeout: Duration? = nil) async throws(PostgresError) -> [PGRows] {
        try await execute(steps, timeout: timeout, slot: nil)
    }

    /// Runs one prepared statement.
    public func query(_ statement: PGStatement, _ parameters: [String?], timeout: Duration? = nil) async throws(PostgresError) -> PGRows {
        try await execute([.prepared(statement, parameters)], timeout: timeout)[0]
    }

    /// Runs `body` with one connection reserved for it (for session state: advisory locks,
    /// transactions spanning decisions made in Swift). The connection returns to the pool after,
    /// rolled back if a transaction was left open.
    public func withSession<T: Sendable>(
        timeout: Duration? = nil, _ body: (PGSession) async throws(PostgresError) -> T
    ) async throws(PostgresError) -> T {
        let deadline = Self.deadline(after: timeout ?? options.requestTimeout)
        let acquired = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Int, PostgresError>, Never>) in
            queue.async { [self] in
                submit(.pin(deadline: deadline, completion: { continuation.resume(returning: $0) }))
            }
        }
        let slot = try acquired.get()
        let session = PGSession(pool: self, slot: slot)
        defer { queue.async { [self] in unpin(slot) } }
        return try await body(session)
    }

    /// Waits until a connection is up, or `timeout` passed (then throws the latest failure).
    public func waitUntilConnected(timeout: Duration) async throws(PostgresError) {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: timeout)
        while !everConnected.load(ordering: .acquiring) || !isHealthy {
            if clock.now >= end {
                throw PostgresError(.connectionFailed, "cannot connect to \(url) within \(timeout.seconds) s: \(lastError)")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Closes every connection; pending and later requests fail with `.closed`.
    public func close() {
        queue.sync {
            guard !closed else { return }
            closed = true
            timer?.cancel()
            for slot in slots where slot.conn != nil {
                breakSlot(slot, PostgresError(.closed, "the PostgreSQL pool is closed"))
            }
            failAllWaiters(PostgresError(.closed, "the PostgreSQL pool is closed"))
            source.cancel()
        }
    }

    func execute(_ steps: [PGStep], timeout: Duration?, slot: Int?) async throws(PostgresError) -> [PGRows] {
        let deadline = Self.deadline(after: timeout ?? options.requestTimeout)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[PGRows], PostgresError>, Never>) in
            queue.async { [self] in
                let request = PGRequest(steps: steps, deadline: deadline, slot: slot) { continuation.resume(returning: $0) }
                submit(.request(request))
            }
        }
        return try result.get()
    }

    // MARK: Scheduling (on the queue)

    private func submit(_ waiter: Waiter) {
        if closed {
            fail(waiter, PostgresError(.closed, "the PostgreSQL pool is closed"))
            return
        }
        if case .request(let request) = waiter, let pinned = request.slot {
            let slot = slots[pinned]
            guard slot.state == .idle, slot.pinned else {
                request.completion(.failure(slot.lastError ?? PostgresError(.connectionLost, "the session's connection is gone")))
                return
            }
            start(request, on: slot)
            return
        }
        guard canServe else {
            fail(waiter, PostgresError(.unavailable, "PostgreSQL unreachable: \(lastError)"))
            return
        }
        waiting.append(waiter)
        dispatchWaiting()
    }

    /// Whether some connection is up or being made (else waiting would only time out).
    private var canServe: Bool {
        slots.contains { $0.state != .broken }
    }

    private func dispatchWaiting() {
        while waitingHead < waiting.count, let slot = slots.first(where: { $0.state == .idle && !$0.pinned }) {
            let waiter = waiting[waitingHead]
            waitingHead += 1
            switch waiter {
            case .request(let request):
                start(request, on: slot)
            case .pin(_, let completion):
                slot.pinned = true
                completion(.success(slot.index))
            }
        }
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        }
    }

    private func fail(_ waiter: Waiter, _ error: PostgresError) {
        switch waiter {
        case .request(let r): r.completion(.failure(error))
        case .pin(_, let c): c(.failure(error))
        }
    }

    private func failAllWaiters(_ error: PostgresError) {
        let pending = waiting[waitingHead...]
        waiting.removeAll()
        waitingHead = 0
        for waiter in pending { fail(waiter, error) }
    }

    private func unpin(_ index: Int) {
        let slot = slots[index]
        slot.pinned = false
        if slot.state == .idle, let conn = slot.conn, PQtransactionStatus(conn) != PQTRANS_IDLE {
            start(PGRequest(steps: [.simple("ROLLBACK")], deadline: Self.deadline(after: options.requestTimeout)) { _ in }, on: slot)
            return
        }
        dispatchWaiting()
    }

    // MARK: Connecting

    private func startConnect(_ slot: PGConnectionSlot) {
        guard !closed else { return }
        let conn: OpaquePointer? = withCStrings(keywords.map(\.0)) { keys in
            withCStrings(keywords.map(\.1)) { values in PQconnectStartParams(keys, values, 0) }
        }
        guard let conn else {
            connectFailed(slot, PostgresError(.connectionFailed, "libpq could not allocate a connection"))
            return
        }
        slot.conn = conn
        slot.state = .connecting
        slot.connectDeadline = Self.deadline(after: options.connectTimeout)
        if PQstatus(conn) == CONNECTION_BAD {
            connectFailed(slot, PostgresError(.connectionFailed, Self.message(conn)))
            return
        }
        PQsetnonblocking(conn, 1)
        // Server notices (e.g. "relation already exists, skipping") would go to stderr; drop them.
        PQsetNoticeReceiver(conn, { _, _ in }, nil)
        slot.fd = PQsocket(conn)
        // As if PQconnectPoll had answered "writing" (libpq's documented first step).
        watch(slot, EPOLLOUT.rawValue)
    }

    private func pollConnect(_ slot: PGConnectionSlot) {
        guard let conn = slot.conn else { return }
        let status = PQconnectPoll(conn)
        let fd = PQsocket(conn)
        if fd != slot.fd {
            // libpq moved to another socket (next host or address); the old one is closed already.
            slot.fd = fd
        }
        switch status {
        case PGRES_POLLING_READING:
            watch(slot, EPOLLIN.rawValue)
        case PGRES_POLLING_WRITING:
            watch(slot, EPOLLOUT.rawValue)
        case PGRES_POLLING_OK:
            slot.state = .idle
            slot.failures = 0
            slot.lastError = nil
            slot.prepared = []
            watch(slot, EPOLLIN.rawValue)
            everConnected.store(true, ordering: .releasing)
            noteSuccess()
            dispatchWaiting()
        default:
            connectFailed(slot, PostgresError(.connectionFailed, Self.message(conn)))
        }
    }

    private func connectFailed(_ slot: PGConnectionSlot, _ error: PostgresError) {
        breakSlot(slot, error)
    }

    /// Drops the slot's connection (failing its request) and schedules a reconnect with backoff.
    private func breakSlot(_ slot: PGConnectionSlot, _ error: PostgresError) {
        if slot.fd >= 0 {
            var event = epoll_event()
            _ = epoll_ctl(epfd, EPOLL_CTL_DEL, slot.fd, &event)
        }
        if let conn = slot.conn { PQfinish(conn) }
        let wasUp = slot.state == .idle || slot.state == .busy
        slot.conn = nil
        slot.fd = -1
        slot.prepared = []
        slot.state = .broken
        slot.failures += 1
        slot.lastError = error
        let backoff = min(options.maxBackoff, options.initialBackoff * (1 << min(slot.failures - 1, 16)))
        slot.retryAt = Self.deadline(after: backoff)
        let request = slot.current
        slot.current = nil
        if error.kind != .closed {
            noteFailure(error, connectionWasUp: wasUp)
        }
        request?.completion(.failure(error))
        if !canServe {
            failAllWaiters(PostgresError(.unavailable, "PostgreSQL unreachable: \(error.message)"))
        }
    }

    // MARK: Requests

    private func start(_ request: PGRequest, on slot: PGConnectionSlot) {
        slot.state = .busy
        slot.current = request
        slot.stepIndex = 0
        sendStep(slot)
    }

    private func sendStep(_ slot: PGConnectionSlot) {
        guard let conn = slot.conn, let request = slot.current else { return }
        slot.stepRows = nil
        slot.stepError = nil
        let sent: Int32
        switch request.steps[slot.stepIndex] {
        case .simple(let sql):
            slot.preparing = false
            sent = PQsendQuery(conn, sql)
        case .prepared(let statement, let parameters):
            if slot.prepared.contains(statement.name) {
                slot.preparing = false
                sent = Self.sendPrepared(conn, statement, parameters)
            } else {
                slot.preparing = true
                sent = PQsendPrepare(conn, statement.name, statement.sql, Int32(statement.parameterCount), nil)
            }
        }
        guard sent == 1 else {
            breakSlot(slot, PostgresError(.connectionLost, Self.message(conn)))
            return
        }
        flush(slot)
    }

    private static func sendPrepared(_ conn: OpaquePointer, _ statement: PGStatement, _ parameters: [String?]) -> Int32 {
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.flatMap { strdup($0) } }
        defer { for copy in copies { free(copy) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
        return pointers.withUnsafeBufferPointer { buffer in
            PQsendQueryPrepared(conn, statement.name, Int32(parameters.count), buffer.baseAddress, nil, nil, 0)
        }
    }

    private func flush(_ slot: PGConnectionSlot) {
        guard let conn = slot.conn else { return }
        switch PQflush(conn) {
        case 0: watch(slot, EPOLLIN.rawValue)
        case 1: watch(slot, EPOLLIN.rawValue | EPOLLOUT.rawValue)
        default: breakSlot(slot, PostgresError(.connectionLost, Self.message(conn)))
        }
    }

    private func readable(_ slot: PGConnectionSlot) {
        guard let conn = slot.conn else { return }
        guard PQconsumeInput(conn) == 1 else {
            breakSlot(slot, PostgresError(.connectionLost, Self.message(conn)))
            return
        }
        while let notice = PQnotifies(conn) { PQfreemem(notice) }
        guard slot.state == .busy else {
            if PQstatus(conn) == CONNECTION_BAD {
                breakSlot(slot, PostgresError(.connectionLost, Self.message(conn)))
            }
            return
        }
        while PQisBusy(conn) == 0 {
            guard let result = PQgetResult(conn) else {
                stepFinished(slot)
                return
            }
            collect(result, into: slot)
            PQclear(result)
        }
    }

    private func collect(_ result: OpaquePointer, into slot: PGConnectionSlot) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            guard !slot.preparing else { return }
            let fields = PQnfields(result)
            let tuples = PQntuples(result)
            var rows = PGRows()
            rows.columns = (0..<fields).map { String(cString: PQfname(result, $0)) }
            rows.rows.reserveCapacity(Int(tuples))
            for t in 0..<tuples {
                var row: [String?] = []
                row.reserveCapacity(Int(fields))
                for f in 0..<fields {
                    row.append(PQgetisnull(result, t, f) == 1 ? nil : String(cString: PQgetvalue(result, t, f)))
                }
                rows.rows.append(row)
            }
            rows.affected = Int(String(cString: PQcmdTuples(result))) ?? 0
            slot.stepRows = rows
        default:
            if slot.stepError == nil {
                let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
                let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                let text = primary ?? String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
                slot.stepError = PostgresError(.server, text, sqlState: state)
            }
        }
    }

    private func stepFinished(_ slot: PGConnectionSlot) {
        guard let request = slot.current else { return }
        if let error = slot.stepError {
            finish(slot, .failure(error))
            return
        }
        if slot.preparing, case .prepared(let statement, let parameters) = request.steps[slot.stepIndex], let conn = slot.conn {
            slot.prepared.insert(statement.name)
            slot.preparing = false
            guard Self.sendPrepared(conn, statement, parameters) == 1 else {
                breakSlot(slot, PostgresError(.connectionLost, Self.message(conn)))
                return
            }
            flush(slot)
            return
        }
        request.results.append(slot.stepRows ?? PGRows())
        slot.stepIndex += 1
        if slot.stepIndex < request.steps.count {
            sendStep(slot)
        } else {
            finish(slot, .success(request.results))
        }
    }

    private func finish(_ slot: PGConnectionSlot, _ result: Result<[PGRows], PostgresError>) {
        guard let request = slot.current, let conn = slot.conn else { return }
        slot.current = nil
        slot.state = .idle
        switch result {
        case .success: noteSuccess()
        case .failure(let error) where error.isConnectivity: noteFailure(error, connectionWasUp: true)
        case .failure: noteSuccess() // the server answered
        }
        request.completion(result)
        if !slot.pinned, PQtransactionStatus(conn) != PQTRANS_IDLE {
            start(PGRequest(steps: [.simple("ROLLBACK")], deadline: Self.deadline(after: options.requestTimeout)) { _ in }, on: slot)
            return
        }
        if !slot.pinned { dispatchWaiting() }
    }

    // MARK: Events and timers (on the queue)

    private func watch(_ slot: PGConnectionSlot, _ events: UInt32) {
        guard slot.fd >= 0 else { return }
        var event = epoll_event()
        event.events = events
        event.data.u64 = UInt64(slot.index)
        if epoll_ctl(epfd, EPOLL_CTL_MOD, slot.fd, &event) != 0 {
            _ = epoll_ctl(epfd, EPOLL_CTL_ADD, slot.fd, &event)
        }
    }

    private func drainEvents() {
        while true {
            let n = Int(epoll_wait(epfd, events.baseAddress, Int32(events.count), 0))
            guard n > 0 else { return }
            for i in 0..<n {
                let index = Int(events[i].data.u64)
                let flags = events[i].events
                guard index < slots.count else { continue }
                let slot = slots[index]
                guard slot.conn != nil else { continue }
                if slot.state == .connecting {
                    pollConnect(slot)
                    continue
                }
                if flags & EPOLLOUT.rawValue != 0 { flush(slot) }
                if flags & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0, slot.conn != nil {
                    readable(slot)
                }
            }
            if n < events.count { return }
        }
    }

    private func tick() {
        guard !closed else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        for slot in slots {
            switch slot.state {
            case .connecting where now >= slot.connectDeadline:
                connectFailed(slot, PostgresError(.timeout, "connecting to \(url) took longer than \(options.connectTimeout.seconds) s"))
            case .busy where slot.current.map({ now >= $0.deadline }) ?? false:
                breakSlot(slot, PostgresError(.timeout, "PostgreSQL did not answer in time; connection dropped"))
            case .broken where now >= slot.retryAt:
                startConnect(slot)
            default:
                break
            }
        }
        if waitingHead < waiting.count, waiting[waitingHead...].contains(where: { now >= $0.deadline }) {
            let pending = waiting[waitingHead...]
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
            for waiter in pending {
                if now >= waiter.deadline {
                    fail(waiter, PostgresError(.timeout, "no PostgreSQL connection became free in time"))
                } else {
                    waiting.append(waiter)
                }
            }
        }
        let probeDue = lastSuccess == 0 || now - lastSuccess >= UInt64(options.probeInterval.nanoseconds)
        if probeDue, !probing, canServe {
            probing = true
            let request = PGRequest(steps: [.simple("SELECT 1")], deadline: Self.deadline(after: options.probeTimeout)) { [unowned self] _ in
                probing = false
            }
            submit(.request(request))
        }
    }

    // MARK: Health

    private func noteSuccess() {
        lastSuccess = DispatchTime.now().uptimeNanoseconds
        if !healthy.exchange(true, ordering: .acquiringAndReleasing) {
            logger.notice("PostgreSQL reachable", [("database", url.description)])
        }
    }

    private func noteFailure(_ error: PostgresError, connectionWasUp: Bool) {
        lastErrorText.withLock { $0 = error.message }
        // One slot failing to connect while others serve is not an outage; a broken live connection
        // or every slot down is.
        let anyUp = slots.contains { $0.state == .idle || $0.state == .busy }
        guard connectionWasUp || !anyUp else { return }
        if healthy.exchange(false, ordering: .acquiringAndReleasing) {
            logger.error("PostgreSQL unreachable", [("database", url.description), ("error", error.message)])
        }
    }

    // MARK: Helpers

    static func deadline(after duration: Duration) -> UInt64 {
        DispatchTime.now().uptimeNanoseconds &+ UInt64(max(0, duration.nanoseconds))
    }

    private static func message(_ conn: OpaquePointer) -> String {
        // One line: libpq separates hints with a newline and a tab.
        String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n\t", with: " ").replacingOccurrences(of: "\n", with: "; ")
    }
}

/// A connection reserved by `PostgresPool.withSession`.
public struct PGSession: Sendable {
    let pool: PostgresPool
    let slot: Int

    /// Runs `steps` on the reserved connection.
    public func execute(_ steps: [PGStep], timeout: Duration? = nil) async throws(PostgresError) -> [PGRows] {
        try await pool.execute(steps, timeout: timeout, slot: slot)
    }

    /// Runs one statement (simple protocol) on the reserved connection.
    @discardableResult
    public func simple(_ sql: String, timeout: Duration? = nil) async throws(PostgresError) -> PGRows {
        try await execute([.simple(sql)], timeout: timeout)[0]
    }

    /// Runs one prepared statement on the reserved connection.
    @discardableResult
    public func query(_ statement: PGStatement, _ parameters: [String?], timeout: Duration? = nil) async throws(PostgresError) -> PGRows {
        try await execute([.prepared(statement, parameters)], timeout: timeout)[0]
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }

    var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// Calls `body` with a NULL-terminated array of C strings.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { for copy in copies { free(copy) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
