// What one connection does next, decided without I/O: bytes, EOF, timer ticks and response
// progress go in (with the current time), actions come out. The I/O layer performs them.
import HTTPWire

/// Per-connection protocol state: request parsing, one request at a time, keep-alive, timeouts,
/// graceful shutdown. A value type with no clock of its own, so every timeout is unit-testable.
struct ConnectionStateMachine {
    typealias Instant = ContinuousClock.Instant

    struct Timeouts: Sendable, Equatable {
        /// From the first byte of a request until its head is complete.
        var header: Duration
        /// Longest gap between body reads.
        var body: Duration
        /// A connection between requests.
        var idle: Duration
        /// Pending output that the peer does not read.
        var write: Duration
        /// After the last response, how long to drain and discard input before closing.
        var linger: Duration
    }

    enum Phase: Equatable {
        /// Between requests (or before the first), nothing buffered.
        case idle(since: Instant)
        /// The first byte of a request has arrived; its head is not complete.
        case readingHead(since: Instant)
        /// The head is parsed; the body is arriving.
        case readingBody(lastProgress: Instant)
        /// A request is being answered (handler running, or the response being written).
        case responding(keepAlive: Bool)
        /// The last response is written; input is discarded until the peer closes or `linger` elapses.
        case lingering(since: Instant)
        case closed
    }

    /// Why a connection ends (for logs).
    enum CloseReason: String, Equatable, Sendable {
        case peerClosed = "peer closed"
        case peerClosedMidRequest = "peer closed mid-request"
        case clientGone = "client went away during the response"
        case idleTimeout = "idle timeout"
        case writeTimeout = "write timeout"
        case lingerDone = "linger elapsed"
        case shutdown = "server shutting down"
        case streamFailed = "response stream failed"
    }

    enum Action: Equatable {
        case none
        /// Write `HTTP/1.1 100 Continue` (the client waits for it before sending the body).
        case sendContinue
        /// Call the handler with this request. No further request is parsed until `responseFinished`.
        case dispatch(HTTPRequest)
        /// Write this error response with `Connection: close`, then call `responseFinished`.
        case respondWithError(ServerErrorReply)
        /// The response is complete and the connection must not be reused: once output is flushed,
        /// shut the write side down and keep draining input (lingering close).
        case closeAfterFlush
        /// Close now (cancelling a running handler).
        case close(CloseReason)
    }

    let timeouts: Timeouts
    /// Pipelined bytes buffered while responding, beyond which reading pauses.
    let pipelineBufferLimit: Int
    private(set) var parser: HTTPRequestParser
    private(set) var phase: Phase
    private(set) var shuttingDown = false
    /// The head of the request being read or answered.
    private(set) var currentHead: HTTPRequestHead?
    private var continueSent = false
    /// When output last made progress while some is pending; nil when nothing is pending.
    private var outputStalledSince: Instant?

    init(limits: HTTPRequestParser.Limits, timeouts: Timeouts, now: Instant) {
        self.parser = HTTPRequestParser(limits: limits)
        self.timeouts = timeouts
        self.pipelineBufferLimit = max(limits.maxHeaderBytes, 64 * 1024)
        self.phase = .idle(since: now)
    }

    /// Whether the I/O layer should keep reading: always, except while a response is being
    /// produced and the bytes pipelined behind it already fill the buffer.
    var wantsToRead: Bool {
        switch phase {
        case .responding: parser.bufferedByteCount < pipelineBufferLimit
        case .closed: false
        default: true
        }
    }

    /// `wantsToRead`, asked in place: the getter called on a class's stored machine copies the whole
    /// struct first (parser buffers and head included: ~650 instructions per request in callgrind).
    mutating func wantsToReadInPlace() -> Bool { wantsToRead }

    // MARK: input

    mutating func bytesReceived(_ bytes: UnsafeRawBufferPointer, now: Instant) -> Action {
        switch phase {
        case .closed, .lingering:
            return .none
        case .responding:
            // One request at a time: later requests wait in the buffer, unparsed.
            parser.append(bytes)
            return .none
        case .idle:
            phase = .readingHead(since: now)
        case .readingBody:
            phase = .readingBody(lastProgress: now)
        case .readingHead:
            break
        }
        parser.append(bytes)
        return parse(now: now)
    }

    /// The peer closed its side (or the read failed).
    mutating func peerClosed() -> Action {
        switch phase {
        case .closed:
            return .none
        case .idle, .lingering:
            return close(.peerClosed)
        case .readingHead, .readingBody:
            return close(.peerClosedMidRequest)
        case .responding:
            return close(.clientGone)
        }
    }

    private mutating func parse(now: Instant) -> Action {
        do {
            while let event = try parser.next() {
                switch event {
                case .head(let head):
                    currentHead = head
                    continueSent = false
                    phase = .readingBody(lastProgress: now)
                case .request(let request):
                    phase = .responding(keepAlive: (currentHead?.keepAlive ?? false) && !shuttingDown)
                    return .dispatch(request)
                }
            }
        } catch {
            phase = .responding(keepAlive: false)
            return .respondWithError(ServerErrorReply(error))
        }
        // RFC 9110 §10.1.1: answer 100 before the body once the head was found acceptable.
        if case .readingBody = phase, let head = currentHead, head.expectsContinue, !continueSent {
            continueSent = true
            return .sendContinue
        }
        return .none
    }

    // MARK: response progress

    /// The response head is about to be written. Returns whether the connection stays open after
    /// it (→ the `Connection` header). `handlerWantsClose`: the handler's own `Connection: close`.
    mutating func responseStarting(handlerWantsClose: Bool) -> Bool {
        guard case .responding(let keepAlive) = phase else { return false }
        let stays = keepAlive && !handlerWantsClose && !shuttingDown
        phase = .responding(keepAlive: stays)
        return stays
    }

    /// The whole response is queued (and pending output is small). Continues with the next
    /// pipelined request, waits idle, or ends the connection.
    mutating func responseFinished(now: Instant) -> Action {
        guard case .responding(let keepAlive) = phase else { return .none }
        currentHead = nil
        guard keepAlive, !shuttingDown else {
            phase = .lingering(since: now)
            return .closeAfterFlush
        }
        if parser.isAtRequestBoundary {
            phase = .idle(since: now)
            return .none
        }
        phase = .readingHead(since: now)
        return parse(now: now)
    }

    /// Reports whether output is pending and whether a write just made progress (write timeout).
    mutating func outputChanged(pending: Bool, progressed: Bool, now: Instant) {
        if !pending {
            outputStalledSince = nil
        } else if progressed || outputStalledSince == nil {
            outputStalledSince = now
        }
    }

    // MARK: time and shutdown

    /// Checks every timeout against `now`.
    mutating func tick(now: Instant) -> Action {
        if let since = outputStalledSince, now - since >= timeouts.write {
            return close(.writeTimeout)
        }
        switch phase {
        case .idle(let since) where now - since >= timeouts.idle:
            return close(.idleTimeout)
        case .readingHead(let since) where now - since >= timeouts.header:
            phase = .responding(keepAlive: false)
            return .respondWithError(.requestTimeout)
        case .readingBody(let last) where now - last >= timeouts.body:
            phase = .responding(keepAlive: false)
            return .respondWithError(.requestTimeout)
        case .lingering(let since) where now - since >= timeouts.linger:
            return close(.lingerDone)
        case .lingering where shuttingDown && outputStalledSince == nil:
            // Shutting down: don't hold the process for the linger period once all is sent.
            return close(.shutdown)
        default:
            return .none
        }
    }

    /// The server stops: idle connections close now; a request in progress is answered with
    /// `Connection: close`; a lingering connection with nothing left to send closes.
    mutating func beginShutdown() -> Action {
        shuttingDown = true
        switch phase {
        case .idle:
            return close(.shutdown)
        case .lingering where outputStalledSince == nil:
            return close(.shutdown)
        default:
            return .none
        }
    }

    /// Ends the connection for a reason the I/O layer found (a failed stream, the shutdown deadline).
    mutating func abort(_ reason: CloseReason) -> Action {
        close(reason)
    }

    private mutating func close(_ reason: CloseReason) -> Action {
        phase = .closed
        return .close(reason)
    }
}
