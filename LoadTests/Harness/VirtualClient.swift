// One simulated sales-assistant user: a keep-alive connection, a thread, queries posted in sequence.
import JSONText
import Glibc
import HTTPWire

/// A virtual client's connection and query state. Driven by its `LoadWorker` on one thread.
final class VirtualClient {
    enum IOState {
        /// No exchange in progress (the connection, if any, is idle and watched for a close).
        case idle
        case connecting
        case writing
        case reading
        /// Slow reader: reading is paused until a timer resumes it.
        case pausedReading
    }

    /// The client's number in the whole run (varies questions and seeds).
    let index: Int
    /// The client's position in its worker (timers and poll tokens name it).
    let slot: Int
    /// The client's own start time and, for spike clients, when it stops issuing queries (ns).
    let startAt: UInt64
    let stopIssuingAt: UInt64
    private(set) var fd: Int32 = -1
    private(set) var connectionGeneration: UInt32 = 0
    private var connectionServedExchange = false
    private(set) var ioState: IOState = .idle
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var parser = HTTPResponseParser()
    private var events = VirtualClient.makeEventParser()
    /// Comment lines (`: keep-alive`) seen in the current stream.
    private var comments = 0
    private var head: HTTPResponseHead?
    private var streaming = false
    private var nonStreamBody: [UInt8] = []
    private var plan: [Exchange] = []
    private var step = 0
    private var retriedExchange = false
    private var pendingFailure: (kind: String, detail: String)?
    private(set) var record: QueryRecord?
    private var threadId: String?
    private(set) var queriesStarted = 0
    private(set) var finished = false
    private var random: SplitMix64

    init(index: Int, slot: Int, startAt: UInt64, stopIssuingAt: UInt64, seed: UInt64) {
        self.index = index
        self.slot = slot
        self.startAt = startAt
        self.stopIssuingAt = stopIssuingAt
        self.random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
    }

    var token: UInt64 { UInt64(slot) << 32 | UInt64(connectionGeneration) }

    /// Lines (and events) up to 1 MiB; comments are kept to count the keep-alives.
    private static func makeEventParser() -> SSEParser { SSEParser(maxEventBytes: 1 << 20, keepsComments: true) }

    // MARK: queries

    /// Starts the next query, or finishes the client when it has no more to post.
    func startNextQuery(_ worker: LoadWorker, now: UInt64) {
        guard !finished, record == nil else { return }
        if let limit = worker.options.queries, queriesStarted >= limit { finish(worker); return }
        if now >= stopIssuingAt { finish(worker); return }
        queriesStarted += 1
        if threadId != nil, worker.options.newThreadShare > 0, random.nextUnit() < worker.options.newThreadShare {
            threadId = nil
        }
        record = QueryRecord(sequence: queriesStarted, startNanos: now, requestedThreadId: threadId)
        plan = Exchange.plan(target: worker.options.target, newThread: threadId == nil)
        step = 0
        worker.results.queriesStarted += 1
        worker.control.streamOpened()
        worker.timers.schedule(TimerEntry(
            deadline: now + UInt64(worker.options.requestTimeout * 1e9), client: slot,
            action: .queryTimeout(sequence: queriesStarted)))
        startExchange(worker)
    }

    private func finish(_ worker: LoadWorker) {
        guard !finished else { return }
        finished = true
        closeConnection(worker)
        worker.clientFinished()
    }

    private func startExchange(_ worker: LoadWorker) {
        output = worker.requests.request(plan[step], client: index, sequence: queriesStarted, threadId: threadId)
        outputOffset = 0
        parser = HTTPResponseParser()
        events = Self.makeEventParser()
        comments = 0
        head = nil
        streaming = false
        nonStreamBody.removeAll(keepingCapacity: true)
        pendingFailure = nil
        retriedExchange = false
        beginSending(worker)
    }

    private func beginSending(_ worker: LoadWorker) {
        if fd < 0 {
            connect(worker)
        } else {
            ioState = .writing
            writePending(worker)
        }
    }

    /// The query's timeout fired: abandon it if it is the same query.
    func timeoutFired(_ worker: LoadWorker, sequence: Int) {
        guard let record, record.sequence == sequence else { return }
        failQuery(worker, kind: "timeout", detail: "no end of stream after \(worker.options.requestTimeout) s", closing: true)
    }

    /// End of run: abandon the query in flight.
    func abandon(_ worker: LoadWorker, reason: String) {
        if record != nil { failQuery(worker, kind: reason, detail: reason, closing: true) }
        finish(worker)
    }

    // MARK: socket events

    func handle(_ worker: LoadWorker, _ event: PollEvent) {
        switch ioState {
        case .connecting:
            guard event.writable || event.failed else { return }
            let code = SocketAddress.pendingSocketError(fd)
            guard code == 0 else {
                failQuery(worker, kind: "connect: \(String(cString: strerror(code)))", detail: worker.address.description, closing: true)
                return
            }
            ioState = .writing
            writePending(worker)
        case .writing:
            if event.writable || event.failed { writePending(worker) }
        case .reading, .pausedReading:
            if event.readable || event.failed { readAvailable(worker) }
        case .idle:
            // An idle kept-alive connection became readable: the server closed it, or sent junk.
            drainIdleConnection(worker)
        }
    }

    func resumeReading(_ worker: LoadWorker, connection: UInt32) {
        guard connection == connectionGeneration, ioState == .pausedReading else { return }
        ioState = .reading
        worker.poller.modify(fd, .readable, token: token)
    }

    private func connect(_ worker: LoadWorker) {
        closeConnection(worker)
        do {
            let slow = worker.options.profile == .slowReaders
            fd = try worker.address.startNonBlockingConnect(receiveBufferBytes: slow ? 4096 : nil)
        } catch {
            failQuery(worker, kind: "connect: \(error)", detail: worker.address.description, closing: false)
            return
        }
        connectionGeneration &+= 1
        connectionServedExchange = false
        worker.results.connectionsOpened += 1
        ioState = .connecting
        worker.poller.add(fd, .writable, token: token)
    }

    private func closeConnection(_ worker: LoadWorker) {
        guard fd >= 0 else { return }
        worker.poller.remove(fd)
        close(fd)
        fd = -1
        connectionGeneration &+= 1
        if ioState != .idle { ioState = .idle }
    }

    private func writePending(_ worker: LoadWorker) {
        while outputOffset < output.count {
            let n = output.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + outputOffset, raw.count - outputOffset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { outputOffset += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                worker.poller.modify(fd, .writable, token: token)
                return
            }
            connectionLost(worker, code: n < 0 ? errno : 0, during: "write")
            return
        }
        ioState = .reading
        worker.poller.modify(fd, .readable, token: token)
    }

    private func readAvailable(_ worker: LoadWorker) {
        let slow = worker.options.profile == .slowReaders
        let limit = slow ? worker.options.slowReadBytes : worker.readBuffer.count
        for _ in 0..<(slow ? 1 : 8) {
            let n = worker.readBuffer.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress!, Swift.min(limit, raw.count), 0) }
            if n > 0 {
                let exchangeEnded = consume(worker, count: n)
                if exchangeEnded || ioState != .reading && ioState != .pausedReading { return }
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            connectionLost(worker, code: n < 0 ? errno : 0, during: "read")
            return
        }
        if slow, record != nil, fd >= 0 {
            ioState = .pausedReading
            worker.poller.modify(fd, .none, token: token)
            let resumeAt = MonotonicClock.now() + UInt64(worker.options.slowReadIntervalMillis * 1e6)
            worker.timers.schedule(TimerEntry(deadline: resumeAt, client: slot, action: .resumeReading(connection: connectionGeneration)))
        }
    }

    /// Feeds `count` bytes from the worker's read buffer. Returns true when the exchange ended.
    private func consume(_ worker: LoadWorker, count: Int) -> Bool {
        let now = MonotonicClock.now()
        worker.results.bodyBytes += count
        do {
            let parsed = try worker.readBuffer.withUnsafeBufferPointer { (all) throws(HTTPResponseParseError) in
                try parser.feed(UnsafeBufferPointer(rebasing: all[0..<count]))
            }
            for event in parsed {
                switch event {
                case .head(let head): headReceived(worker, head, now: now)
                case .body(let bytes): bodyReceived(worker, bytes, now: now)
                case .end: break
                }
            }
        } catch .unexpectedData {
            failQuery(worker, kind: "framing: bytes after response", detail: "bytes after a complete response", closing: true)
            return true
        } catch {
            failQuery(worker, kind: "framing: bad response", detail: "\(error)", closing: true)
            return true
        }
        if let failure = pendingFailure {
            failQuery(worker, kind: failure.kind, detail: failure.detail, closing: true)
            return true
        }
        guard parser.isComplete else { return false }
        exchangeComplete(worker, now: now)
        return true
    }

    private func headReceived(_ worker: LoadWorker, _ head: HTTPResponseHead, now: UInt64) {
        self.head = head
        let exchange = plan[step]
        let contentType = head.headers["content-type"]
        let isEventStream = contentType?.lowercased().hasPrefix("text/event-stream") ?? false
        streaming = exchange.isStream && head.status == 200
        if streaming && !isEventStream {
            pendingFailure = ("protocol: stream without text/event-stream", contentType ?? "no Content-Type")
        }
        if streaming && exchange != .query && record?.threadInfoAt == nil {
            // Direct upstream: the run's accepted response head stands in for thread_info.
            record?.threadInfoAt = now
        }
    }

    private func bodyReceived(_ worker: LoadWorker, _ bytes: [UInt8], now: UInt64) {
        guard streaming else {
            if nonStreamBody.count < 65_536 { nonStreamBody.append(contentsOf: bytes.prefix(65_536 - nonStreamBody.count)) }
            return
        }
        let target = worker.options.target
        let parsed: [SSEEvent]
        do {
            parsed = try events.feed(bytes)
        } catch {
            pendingFailure = ("framing: bad event stream", "\(error)")
            return
        }
        for event in parsed {
            comments += event.comments.count
            if event.isCommentOnly { continue }
            if target == .threadmeter {
                record?.observeServiceEvent(event, now: now)
            } else {
                record?.observeUpstreamEvent(event, now: now, target: target)
            }
        }
    }

    private func exchangeComplete(_ worker: LoadWorker, now: UInt64) {
        guard let head else { return }
        let keepAlive = head.allowsKeepAlive
        connectionServedExchange = true
        if keepAlive && fd >= 0 {
            ioState = .idle
            worker.poller.modify(fd, .readable, token: token)
        } else {
            closeConnection(worker)
        }
        let exchange = plan[step]
        guard head.status == 200 else {
            let code = (try? JSONReader.read(nonStreamBody))?["error"]?["code"]?.stringValue ?? "no error code"
            failQuery(worker, kind: "http \(head.status) \(code)", detail: String(decoding: nonStreamBody.prefix(300), as: UTF8.self), closing: false)
            return
        }
        switch exchange {
        case .query, .runStream, .responseStream:
            record?.keepAliveComments = comments
            completeQuery(worker, now: now)
        case .createThread, .createConversation:
            guard let id = (try? JSONReader.read(nonStreamBody))?["id"]?.stringValue, !id.isEmpty else {
                failQuery(worker, kind: "protocol: upstream create without id", detail: String(decoding: nonStreamBody.prefix(300), as: UTF8.self), closing: false)
                return
            }
            threadId = id
            record?.threadId = id
            record?.newThread = true
            nextExchange(worker)
        case .addMessage:
            nextExchange(worker)
        }
    }

    private func nextExchange(_ worker: LoadWorker) {
        step += 1
        guard step < plan.count else { return }
        startExchange(worker)
    }

    /// A connection broke (EOF or error) while an exchange was in progress.
    private func connectionLost(_ worker: LoadWorker, code: Int32, during: String) {
        if ioState == .reading || ioState == .pausedReading, (try? parser.finish()) != nil {
            // A body delimited by the close (RFC 9112 §6.3 rule 8) ended normally.
            closeConnection(worker)
            exchangeComplete(worker, now: MonotonicClock.now())
            return
        }
        if connectionServedExchange && !parser.hasReceivedBytes && !retriedExchange {
            // The server closed a kept-alive connection before reading this request: retry once
            // on a new connection, as HTTP clients do for a connection that was idle.
            retriedExchange = true
            closeConnection(worker)
            outputOffset = 0
            parser = HTTPResponseParser()
            connect(worker)
            return
        }
        let reason = code == 0 ? "closed by server" : String(cString: strerror(code))
        let phase = parser.hasReceivedBytes ? "mid-response" : "before response"
        failQuery(worker, kind: "connection \(phase): \(reason)", detail: "during \(during)", closing: true)
    }

    private func drainIdleConnection(_ worker: LoadWorker) {
        let n = worker.readBuffer.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress!, raw.count, 0) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        if n > 0 { worker.results.recordError("framing: bytes on an idle connection", detail: "\(n) bytes") }
        closeConnection(worker)
    }

    // MARK: outcomes

    private func completeQuery(_ worker: LoadWorker, now: UInt64) {
        guard let record else { return }
        if record.terminal == nil {
            failQuery(worker, kind: "protocol: stream ended without a terminal event", detail: "after \(record.contentEvents) content events", closing: false)
            return
        }
        if let violation = record.violations.first {
            failQuery(worker, kind: violation.kind, detail: violation.detail, closing: false)
            return
        }
        endQuery(worker, now: now)
    }

    /// Ends the query in flight with an error of `kind`.
    private func failQuery(_ worker: LoadWorker, kind: String, detail: String, closing: Bool) {
        if closing { closeConnection(worker) }
        guard record != nil else { return }
        // Record breaches of the event contract before the transport failure that ended the query.
        if let violations = record?.violations, !violations.isEmpty {
            for violation in violations where violation.kind != kind {
                worker.results.recordError(violation.kind, detail: violation.detail)
            }
        }
        record?.violations = [(kind, detail)]
        endQuery(worker, now: MonotonicClock.now())
    }

    private func endQuery(_ worker: LoadWorker, now: UInt64) {
        guard let finishedRecord = record else { return }
        record = nil
        worker.control.streamClosed()
        worker.account(finishedRecord, client: self)
        if let id = finishedRecord.threadId, finishedRecord.threadInfoAt != nil { threadId = id }
        if worker.options.thinkTimeMillis > 0 {
            worker.timers.schedule(TimerEntry(deadline: now + UInt64(worker.options.thinkTimeMillis * 1e6), client: slot, action: .startQuery))
        } else if finishedRecord.violations.isEmpty || fd >= 0 {
            startNextQuery(worker, now: now)
        } else {
            // Back off a little after a failure on a closed connection (a refused connect would spin).
            worker.timers.schedule(TimerEntry(deadline: now + 50_000_000, client: slot, action: .startQuery))
        }
    }
}
