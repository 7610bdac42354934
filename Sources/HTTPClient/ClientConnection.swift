// One keep-alive HTTP/1.1 client connection on an event loop: non-blocking socket registered with the
// loop's poller, optional proxy tunnel and TLS, one exchange at a time.
import ByteAppending
import Dispatch
import EventLoops
import HTTPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A client connection. All mutable state is touched only on `loop` (hence `@unchecked Sendable`);
/// the entry points (`perform`, `abort`, `close`, `resumeReading`) run inline when already on the
/// loop and hop onto it otherwise.
final class ClientConnection: PollHandler, @unchecked Sendable {
    typealias HeadResult = Result<HTTPClientResponse, ConnectionFailure>

    enum Phase: Equatable {
        case fresh, resolving, connecting, tunnelling, handshaking, writing, awaitingHead, body, idle, closed
    }

    let id: Int
    let loop: EventLoop
    let route: ConnectionRoute
    let settings: ConnectionSettings
    weak var pool: ConnectionPool?

    var fd: Int32 = -1
    var phase = Phase.fresh
    /// The socket's registration with `loop.poller` (0: none).
    private var pollToken: UInt64 = 0
    private var readResumed = false
    private var writeResumed = false
    private var timer: DispatchSourceTimer?
    /// When the timer is set to fire; a later deadline leaves it alone (it re-arms when it fires).
    private var armedFor: ContinuousClock.Instant?
    private var addresses: [SocketAddress] = []
    private var nextAddress = 0
    var tls: TLSEngine?
    /// Bytes handed to the proxy before the tunnel was up (its answer head).
    var tunnelAnswer: [UInt8] = []

    // The current exchange.
    var exchangeID = 0
    /// The highest exchange id cancelled before it began on this connection.
    private var abortedBeforeStart = 0
    var reused = false
    var idempotent = false
    var headContinuation: CheckedContinuation<HeadResult, Never>?
    var body: ResponseBodyStream?
    /// The request waiting for the connection (and tunnel, and handshake) to be ready.
    private var request: [UInt8] = []
    /// Bytes for the socket (ciphertext with TLS) and how many of them went out.
    var outbound: [UInt8] = []
    private var sent = 0
    /// Whether any byte of the request reached the socket.
    var requestBytesSent = false
    var parser = HTTPResponseParser()
    var keepAlive = false
    /// Reading stopped because the body's reader is behind.
    var readPaused = false
    /// Deadline of the connect or head phase.
    var deadline = ContinuousClock.now
    var lastActivity = ContinuousClock.now

    init(id: Int, loop: EventLoop, route: ConnectionRoute, settings: ConnectionSettings, pool: ConnectionPool) {
        self.id = id
        self.loop = loop
        self.route = route
        self.settings = settings
        self.pool = pool
    }

    var target: String { route.origin.description }

    // MARK: Entry points (any thread)

    /// Sends `bytes` as exchange `exchangeID` and resumes `head` with the response head or a failure.
    func perform(_ bytes: [UInt8], method: String, idempotent: Bool, reused: Bool, exchangeID: Int, head: CheckedContinuation<HeadResult, Never>) {
        loop.execute { self.begin(bytes, method: method, idempotent: idempotent, reused: reused, exchangeID: exchangeID, head: head) }
    }

    /// Cancels exchange `exchangeID` (the calling task or the body's reader went away): the connection closes.
    func abort(_ exchangeID: Int) {
        loop.execute {
            if exchangeID > self.exchangeID {
                self.abortedBeforeStart = max(self.abortedBeforeStart, exchangeID)
                return
            }
            guard exchangeID == self.exchangeID, self.headContinuation != nil || self.body != nil else { return }
            self.fail(.connectionFailed("\(self.target): request cancelled"), retryable: false)
        }
    }

    /// Closes the connection (idle or not); a pending exchange fails.
    func close() {
        loop.execute {
            self.fail(.connectionFailed("\(self.target): connection closed by the client"), retryable: false)
        }
    }

    // MARK: Exchange (on the loop)

    private func begin(_ bytes: [UInt8], method: String, idempotent: Bool, reused: Bool, exchangeID: Int, head: CheckedContinuation<HeadResult, Never>) {
        self.exchangeID = exchangeID
        self.reused = reused
        self.idempotent = idempotent
        headContinuation = head
        body = nil
        request = bytes
        requestBytesSent = false
        parser = HTTPResponseParser(requestWasHEAD: method == "HEAD")
        keepAlive = false
        readPaused = false
        if abortedBeforeStart >= exchangeID {
            fail(.connectionFailed("\(target): request cancelled"), retryable: false)
            return
        }
        switch phase {
        case .fresh:
            startConnecting()
        case .idle:
            guard Socket.looksAlive(fd) else {
                fail(.connectionFailed("\(target): the upstream closed the kept-alive connection"), retryable: true)
                return
            }
            sendRequest()
        default:
            fail(.connectionFailed("\(target): connection no longer usable"), retryable: reused)
        }
    }

    // MARK: Connecting

    private func startConnecting() {
        phase = .resolving
        deadline = .now + settings.connectTimeout
        makeTimer()
        arm(deadline)
        let host = route.connectHost, port = route.connectPort
        if let known = settings.resolver.cached(host, port: port) {
            resolved(.success(known))
            return
        }
        settings.resolver.resolve(host, port: port) { [self] result in
            loop.execute { self.resolved(result) }
        }
    }

    private func resolved(_ result: Result<[SocketAddress], HTTPClientError>) {
        guard phase == .resolving else { return }
        switch result {
        case .success(let list):
            addresses = list
            nextAddress = 0
            connectNext(lastError: ECONNREFUSED)
        case .failure(let error):
            fail(error, retryable: false)
        }
    }

    /// Tries the next resolved address; fails with `lastError` when none is left.
    private func connectNext(lastError: Int32) {
        var lastError = lastError
        while nextAddress < addresses.count {
            let address = addresses[nextAddress]
            nextAddress += 1
            switch Socket.startConnect(address) {
            case .failed(let code):
                lastError = code
            case .inProgress(let fd):
                phase = .connecting
                self.fd = fd
                makeSources()
                resumeWriteSource()  // writable once the connect finished, either way
                return
            case .connected(let fd):
                self.fd = fd
                makeSources()
                socketConnected()
                return
            }
        }
        fail(connectError(lastError), retryable: false)
    }

    private func socketConnected() {
        readResumed = true
        updateInterest()
        if let proxy = route.proxy, route.tunnel {
            phase = .tunnelling
            var head = "CONNECT \(route.origin.description) HTTP/1.1\r\nHost: \(route.origin.description)\r\n"
            if let authorization = proxy.authorization { head += "Proxy-Authorization: \(authorization)\r\n" }
            head += "\r\n"
            outbound.append(utf8: head)
            flush()
        } else if route.origin.scheme == .https {
            startTLS()
        } else {
            sendRequest()
        }
    }

    /// The proxy answered the `CONNECT` (head in `tunnelAnswer`): TLS to the origin starts inside the tunnel.
    func tunnelAnswered(_ head: HTTPResponseHead, leftover: ArraySlice<UInt8>) {
        guard (200..<300).contains(head.status) else {
            let proxy = route.proxy.map { "\($0.host):\($0.port)" } ?? "the proxy"
            fail(.connectionFailed("proxy \(proxy) refused CONNECT \(target): \(head.status) \(head.reason)"), retryable: false)
            return
        }
        startTLS()
        if !leftover.isEmpty, phase == .handshaking {
            leftover.withUnsafeBytes { tls?.feed($0) }
            advanceHandshake()
        }
    }

    private func startTLS() {
        phase = .handshaking
        do {
            tls = try TLSEngine(context: try settings.tlsContext(), origin: route.origin)
        } catch {
            fail(error, retryable: false)
            return
        }
        advanceHandshake()
    }

    /// Runs the handshake as far as the peer's bytes allow; sends the request once it is done.
    func advanceHandshake() {
        guard let tls else { return }
        let step = tls.handshake()
        tls.takeOutput(into: &outbound)
        switch step {
        case .done:
            settings.handshakes(tls.resumedSession)
            sendRequest()
        case .wantRead:
            flush()
        case .failed(let message):
            // Nothing of the request was encrypted or sent: a failed verification ends it here.
            fail(.tlsFailed(message), retryable: false)
        }
    }

    private func sendRequest() {
        phase = .writing
        deadline = .now + settings.firstByteTimeout
        arm(deadline)
        let bytes = request
        request = []
        if let tls {
            guard tls.write(bytes) else {
                fail(.connectionFailed("\(target): TLS connection no longer usable"), retryable: reused)
                return
            }
            tls.takeOutput(into: &outbound)
        } else {
            outbound.append(contentsOf: bytes)
        }
        flush()
    }

    /// Writes pending bytes; waits for the write source when the socket buffer is full.
    func flush() {
        while sent < outbound.count {
            let n = outbound.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + sent, buffer.count - sent, Socket.sendFlags)
            }
            if n > 0 {
                sent += n
                if phase == .writing || phase == .awaitingHead { requestBytesSent = true }
                continue
            }
            let code = errno
            if n < 0, code == EINTR { continue }
            if n < 0, code == EAGAIN || code == EWOULDBLOCK {
                resumeWriteSource()
                return
            }
            // A dead kept-alive connection: safe to resend if nothing went out or the method is idempotent.
            let retryable = reused && !parser.hasReceivedBytes && (!requestBytesSent || idempotent)
            fail(.connectionFailed("\(target): sending the request failed (\(SystemError.text(code)))"), retryable: retryable)
            return
        }
        suspendWriteSource()
        outbound.removeAll(keepingCapacity: true)
        sent = 0
        if phase == .writing {
            phase = .awaitingHead
        }
    }

    // MARK: Sources

    private func makeTimer() {
        guard timer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: loop.queue)
        timer.setEventHandler { @Sendable in self.timerFired() }
        timer.schedule(deadline: .distantFuture)
        timer.resume()
        self.timer = timer
    }

    /// Registers the socket with the loop's poller, with no interest yet.
    private func makeSources() {
        pollToken = loop.poller.register(fd, interest: .none, handler: self)
        readResumed = false
        writeResumed = false
    }

    func socketReadable() { readable() }
    func socketWritable() { writable() }

    private func updateInterest() {
        guard pollToken != 0 else { return }
        var interest: PollInterest = readResumed ? .readable : .none
        if writeResumed { interest.insert(.writable) }
        loop.poller.update(pollToken, interest: interest)
    }

    private func resumeWriteSource() {
        guard !writeResumed, phase != .closed, pollToken != 0 else { return }
        writeResumed = true
        updateInterest()
    }

    private func suspendWriteSource() {
        guard writeResumed else { return }
        writeResumed = false
        updateInterest()
    }

    /// Stops reading the socket until `resumeReading` (the body's reader is behind).
    func pauseReading() {
        readPaused = true
        guard readResumed else { return }
        readResumed = false
        updateInterest()
    }

    /// The body's reader caught up: read again (what TLS already decrypted first).
    func resumeReading(_ exchangeID: Int) {
        loop.execute {
            guard exchangeID == self.exchangeID, self.readPaused, self.phase == .body else { return }
            self.readPaused = false
            self.lastActivity = .now
            self.drainTLS()
            guard !self.readPaused, self.phase != .closed else { return }
            self.resumeReadSource()
        }
    }

    func resumeReadSource() {
        guard !readResumed, phase != .closed, pollToken != 0 else { return }
        readResumed = true
        updateInterest()
    }

    /// Leaves the poller and closes the descriptor.
    private func closeSocket() {
        if pollToken != 0 {
            loop.poller.deregister(pollToken)
            pollToken = 0
        }
        if fd >= 0 { Socket.close(fd) }
        readResumed = false
        writeResumed = false
        fd = -1
    }

    /// Schedules the timer for `instant`.
    /// Setting a Dispatch timer costs a wake of Dispatch's manager thread, so a deadline later than
    /// the one armed leaves the timer alone: it fires early, finds time left, and arms again.
    func arm(_ instant: ContinuousClock.Instant) {
        if let armedFor, armedFor <= instant { return }
        armedFor = instant
        let delay = max(.zero, instant - .now)
        timer?.schedule(deadline: .now() + delay.dispatchInterval, leeway: .milliseconds(1))
    }

    private func writable() {
        switch phase {
        case .connecting:
            let code = Socket.pendingError(fd)
            guard code == 0 else {
                // Try the host's next address, if any.
                closeSocket()
                phase = .resolving
                connectNext(lastError: code)
                return
            }
            suspendWriteSource()
            socketConnected()
        case .tunnelling, .handshaking, .writing, .awaitingHead, .body:
            flush()
        default:
            suspendWriteSource()
        }
    }

    private func timerFired() {
        armedFor = nil
        let now = ContinuousClock.now
        switch phase {
        case .resolving, .connecting, .tunnelling, .handshaking:
            guard now >= deadline else { return arm(deadline) }
            let what = phase == .handshaking ? "complete the TLS handshake with" : "connect to"
            fail(.timeout("could not \(what) \(target) within \(settings.connectTimeout.seconds) s"), retryable: false)
        case .writing, .awaitingHead:
            guard now >= deadline else { return arm(deadline) }
            fail(.timeout("no response from \(target) within \(settings.firstByteTimeout.seconds) s"), retryable: false)
        case .body:
            // A reader that is behind is not the server's silence.
            if readPaused { lastActivity = now }
            let due = lastActivity + settings.idleTimeout
            guard now >= due else { return arm(due) }
            fail(.timeout("\(target) sent nothing for \(settings.idleTimeout.seconds) s"), retryable: false)
        case .idle:
            let due = lastActivity + settings.poolIdleTimeout
            guard now >= due else { return arm(due) }
            shutDown()
        case .fresh, .closed:
            break
        }
    }

    // MARK: Ending

    /// Fails the current exchange (if any) with `error` and closes the connection.
    func fail(_ error: HTTPClientError, retryable: Bool) {
        if let head = headContinuation {
            headContinuation = nil
            head.resume(returning: .failure(ConnectionFailure(error: error, retryable: retryable)))
        }
        body?.finish(error)
        body = nil
        shutDown()
    }

    /// Closes the socket once and leaves the pool.
    func shutDown() {
        guard phase != .closed else { return }
        let wasOpen = phase == .idle || phase == .body || phase == .writing || phase == .awaitingHead
        phase = .closed
        if let tls, wasOpen, fd >= 0 {
            // A best-effort close_notify: keeps the session resumable for the next connection.
            var goodbye: [UInt8] = []
            tls.close()
            tls.takeOutput(into: &goodbye)
            _ = goodbye.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Socket.sendFlags) }
        }
        closeSocket()
        timer?.cancel()
        timer = nil
        outbound = []
        request = []
        tls = nil
        pool?.discard(self)
    }

    private func connectError(_ code: Int32) -> HTTPClientError {
        let what = route.proxy.map { "proxy \($0.host):\($0.port)" } ?? target
        if code == ECONNREFUSED {
            return .connectionFailed("could not connect to \(what) (connection refused)")
        }
        return .connectionFailed("could not connect to \(what): \(SystemError.text(code))")
    }
}
