// One keep-alive HTTP/1.1 connection of the native transport: a non-blocking socket driven by
// Dispatch read/write sources and a timer, carrying one exchange at a time.
import Dispatch
import Foundation
import HTTPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A client connection. All mutable state is touched only on `queue` (hence `@unchecked Sendable`);
/// the public entry points (`perform`, `abort`, `close`) hop onto it.
final class NativeConnection: @unchecked Sendable {
    typealias HeadResult = Result<UpstreamHTTPResponse, NativeFailure>

    enum Phase: Equatable {
        case fresh, connecting, writing, awaitingHead, body, idle, closed
    }

    /// Timeouts a connection enforces.
    struct Timeouts: Sendable {
        var connect: Duration
        var firstByte: Duration
        var idle: Duration
        var poolIdle: Duration
    }

    let id: Int
    let queue: DispatchQueue
    let endpoint: NativeEndpoint
    let timeouts: Timeouts
    weak var pool: NativeConnectionPool?

    var fd: Int32 = -1
    var phase = Phase.fresh
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var writeResumed = false
    private var readResumed = false
    private var timer: DispatchSourceTimer?
    private var openSources = 0

    // The current exchange.
    var exchangeID = 0
    /// The highest exchange id cancelled before it began on this connection.
    private var abortedBeforeStart = 0
    var reused = false
    var idempotent = false
    var headContinuation: CheckedContinuation<HeadResult, Never>?
    var body: AsyncStream<BodyChunk>.Continuation?
    var bodyStream: AsyncStream<BodyChunk>?
    var output: [UInt8] = []
    var written = 0
    var parser = HTTPResponseParser()
    var keepAlive = false
    /// Deadline of the connect, write or head phase.
    var deadline = ContinuousClock.now
    var lastActivity = ContinuousClock.now

    init(id: Int, queue: DispatchQueue, endpoint: NativeEndpoint, timeouts: Timeouts, pool: NativeConnectionPool) {
        self.id = id
        self.queue = DispatchQueue(label: "threadmeter.upstream.connection", target: queue)
        self.endpoint = endpoint
        self.timeouts = timeouts
        self.pool = pool
    }

    // MARK: Entry points (any thread)

    /// Sends `bytes` as exchange `exchangeID` and resumes `head` with the response head or a failure.
    func perform(_ bytes: [UInt8], method: String, reused: Bool, exchangeID: Int, head: CheckedContinuation<HeadResult, Never>) {
        queue.async { self.begin(bytes, method: method, reused: reused, exchangeID: exchangeID, head: head) }
    }

    /// Cancels exchange `exchangeID` (the calling task or the body's reader went away): the connection closes.
    func abort(_ exchangeID: Int) {
        queue.async {
            if exchangeID > self.exchangeID {
                self.abortedBeforeStart = max(self.abortedBeforeStart, exchangeID)
                return
            }
            guard exchangeID == self.exchangeID, self.headContinuation != nil || self.body != nil else { return }
            self.fail(.connectionFailed("\(self.endpoint.target): request cancelled"), retryable: false)
        }
    }

    /// Closes the connection (idle or not); a pending exchange fails.
    func close() {
        queue.async {
            self.fail(.connectionFailed("\(self.endpoint.target): connection closed by the client"), retryable: false)
        }
    }

    // MARK: Exchange (on queue)

    private func begin(_ bytes: [UInt8], method: String, reused: Bool, exchangeID: Int, head: CheckedContinuation<HeadResult, Never>) {
        self.exchangeID = exchangeID
        self.reused = reused
        idempotent = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(method)
        headContinuation = head
        let (stream, continuation) = AsyncStream.makeStream(of: BodyChunk.self)
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.abort(exchangeID) }
        }
        body = continuation
        bodyStream = stream
        output = bytes
        written = 0
        parser = HTTPResponseParser(requestWasHEAD: method == "HEAD")
        keepAlive = false
        if abortedBeforeStart >= exchangeID {
            fail(.connectionFailed("\(endpoint.target): request cancelled"), retryable: false)
            return
        }
        switch phase {
        case .fresh:
            connect()
        case .idle:
            guard NativeSocket.looksAlive(fd) else {
                fail(.connectionFailed("\(endpoint.target): the upstream closed the kept-alive connection"), retryable: true)
                return
            }
            startWriting()
        default:
            fail(.connectionFailed("\(endpoint.target): connection no longer usable"), retryable: reused)
        }
    }

    private func connect() {
        phase = .connecting
        deadline = .now + timeouts.connect
        switch NativeSocket.startConnect(host: endpoint.host, port: endpoint.port) {
        case .failed(let code):
            fail(Self.connectError(code, target: endpoint.target), retryable: false)
        case .inProgress(let fd):
            self.fd = fd
            makeSources()
            arm(deadline)
            resumeWriteSource()  // writable once the connect finished, either way
        case .connected(let fd):
            self.fd = fd
            makeSources()
            connected()
        }
    }

    private func connected() {
        readResumed = true
        readSource?.resume()
        startWriting()
    }

    private func startWriting() {
        phase = .writing
        deadline = .now + timeouts.firstByte
        arm(deadline)
        flush()
    }

    /// Writes pending request bytes; waits for the write source when the socket buffer is full.
    private func flush() {
        while written < output.count {
            let n = output.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + written, buffer.count - written, NativeSocket.sendFlags)
            }
            if n > 0 {
                written += n
                continue
            }
            let code = errno
            if n < 0, code == EINTR { continue }
            if n < 0, code == EAGAIN || code == EWOULDBLOCK {
                resumeWriteSource()
                return
            }
            // A dead kept-alive connection: safe to resend if nothing went out or the method is idempotent.
            let retryable = reused && parser.hasReceivedBytes == false && (written == 0 || idempotent)
            fail(.connectionFailed("\(endpoint.target): sending the request failed (\(NativeSocket.describe(code)))"), retryable: retryable)
            return
        }
        suspendWriteSource()
        output = []
        if phase == .writing {
            phase = .awaitingHead
        }
    }

    // MARK: Sources

    /// The read source and the timer; the write source is made when first needed (see `resumeWriteSource`).
    private func makeSources() {
        let read = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        read.setEventHandler { @Sendable in self.readable() }
        read.setCancelHandler(handler: sourceCancelled)
        openSources = 1
        readSource = read
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.setEventHandler { @Sendable in self.timerFired() }
        timer.schedule(deadline: .distantFuture)
        timer.resume()
        self.timer = timer
    }

    /// Closes the socket once every source made for it was cancelled (Dispatch has let go of the fd).
    private var sourceCancelled: @Sendable () -> Void {
        let fd = self.fd
        return {
            self.openSources -= 1
            if self.openSources == 0 { NativeSocket.close(fd) }
        }
    }

    private func resumeWriteSource() {
        guard !writeResumed, phase != .closed, fd >= 0 else { return }
        let source: DispatchSourceWrite
        if let writeSource {
            source = writeSource
        } else {
            source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { @Sendable in self.writable() }
            source.setCancelHandler(handler: sourceCancelled)
            openSources += 1
            writeSource = source
        }
        writeResumed = true
        source.resume()
    }

    private func suspendWriteSource() {
        guard writeResumed, let writeSource else { return }
        writeResumed = false
        writeSource.suspend()
    }

    /// Schedules the timer for `instant`.
    func arm(_ instant: ContinuousClock.Instant) {
        let delay = max(.zero, instant - .now)
        timer?.schedule(deadline: .now() + .nanoseconds(Int(delay / .nanoseconds(1))), leeway: .milliseconds(1))
    }

    private func writable() {
        switch phase {
        case .connecting:
            let code = NativeSocket.pendingError(fd)
            guard code == 0 else {
                fail(Self.connectError(code, target: endpoint.target), retryable: false)
                return
            }
            suspendWriteSource()
            connected()
        case .writing, .awaitingHead, .body:
            flush()
        default:
            suspendWriteSource()
        }
    }

    private func timerFired() {
        let now = ContinuousClock.now
        switch phase {
        case .connecting:
            guard now >= deadline else { return arm(deadline) }
            fail(.timeout("could not connect to \(endpoint.target) within \(timeouts.connect.seconds) s"), retryable: false)
        case .writing, .awaitingHead:
            guard now >= deadline else { return arm(deadline) }
            fail(.timeout("no response from the upstream within \(timeouts.firstByte.seconds) s"), retryable: false)
        case .body:
            let due = lastActivity + timeouts.idle
            guard now >= due else { return arm(due) }
            fail(.timeout("the upstream sent nothing for \(timeouts.idle.seconds) s"), retryable: false)
        case .idle:
            let due = lastActivity + timeouts.poolIdle
            guard now >= due else { return arm(due) }
            shutDown()
        case .fresh, .closed:
            break
        }
    }

    // MARK: Ending

    /// Fails the current exchange (if any) with `error` and closes the connection.
    func fail(_ error: UpstreamError, retryable: Bool) {
        if let head = headContinuation {
            headContinuation = nil
            head.resume(returning: .failure(NativeFailure(error: error, retryable: retryable)))
        } else if let body {
            body.yield(.failed(error))
        }
        body?.finish()
        body = nil
        bodyStream = nil
        shutDown()
    }

    /// Closes the socket once (sources cancelled, the fd closed by their cancel handlers) and leaves the pool.
    func shutDown() {
        guard phase != .closed else { return }
        phase = .closed
        // Cancel first, then resume a suspended source: a cancelled source never registers its fd.
        if let readSource {
            readSource.cancel()
            if !readResumed { readResumed = true; readSource.resume() }
        }
        if let writeSource {
            writeSource.cancel()
            if !writeResumed { writeResumed = true; writeSource.resume() }
        }
        timer?.cancel()
        readSource = nil
        writeSource = nil
        timer = nil
        output = []
        pool?.discard(self)
    }

    static func connectError(_ code: Int32, target: String) -> UpstreamError {
        if code == ECONNREFUSED {
            return .connectionFailed("could not connect to \(target) (connection refused)")
        }
        return .connectionFailed("could not connect to \(target): \(NativeSocket.describe(code))")
    }
}
