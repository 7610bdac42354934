// One client connection: reads, writes and closes as its state machine decides.
import Dispatch
import EventLoops
import HTTPWire
import Synchronization
import Telemetry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The I/O side of a connection: a non-blocking socket registered with its loop's `SocketPoller`
/// — read interest always on, except when pipelined input fills its buffer while a response is
/// produced; write interest only while output is pending — and the response in progress. All
/// mutable state is confined to `loop.queue` (hence `@unchecked Sendable`).
final class Connection: PollHandler, @unchecked Sendable {
    let id: Int
    let fd: Int32
    let remoteAddress: String
    let loop: ServerLoop
    let server: ServerContext

    var machine: ConnectionStateMachine
    var output: [UInt8] = []
    var outputOffset = 0
    var response = ResponseProgress()
    private var pollToken: UInt64 = 0
    private var readPaused = false
    private var writeWanted = false
    private var shutdownWriteWhenFlushed = false
    var flushScheduled = false
    private(set) var isClosed = false
    private let closedFlag = Atomic<Bool>(false)

    init(id: Int, fd: Int32, remoteAddress: String, loop: ServerLoop, server: ServerContext) {
        self.id = id
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.server = server
        self.machine = ConnectionStateMachine(limits: server.limits, timeouts: server.timeouts, now: .now)
    }

    /// Readable from any thread: whether writers should give up.
    var isClosedForWriters: Bool { closedFlag.load(ordering: .acquiring) }

    var pendingOutput: Int { output.count - outputOffset }

    // MARK: lifecycle

    func start() {
        pollToken = loop.eventLoop.poller.register(fd, interest: .readable, handler: self)
        if server.logger.isEnabled(.debug) {
            server.logger.debug("connection opened", [("remote", remoteAddress), ("connection", String(id))])
        }
        if server.isShuttingDown { beginShutdown() }
    }

    // MARK: PollHandler

    func socketReadable() { readAvailable() }
    func socketWritable() { writable() }

    func tick(now: ContinuousClock.Instant) {
        perform(machine.tick(now: now))
        syncReadInterest()
    }

    func beginShutdown() {
        perform(machine.beginShutdown())
    }

    /// Closes at once (shutdown deadline passed), cancelling a running handler.
    func forceClose() {
        perform(machine.abort(.shutdown))
    }

    /// Tears down: cancels the handler task, fails waiting writers, leaves the poller and closes
    /// the descriptor.
    func close(_ reason: ConnectionStateMachine.CloseReason) {
        guard !isClosed else { return }
        isClosed = true
        closedFlag.store(true, ordering: .releasing)
        response.task?.cancel()
        response.task = nil
        response.streaming = false
        resumeWriters(throwing: ClientDisconnected())
        if server.logger.isEnabled(.debug) {
            server.logger.debug("connection closed", [("remote", remoteAddress), ("connection", String(id)), ("reason", reason.rawValue)])
        }
        loop.eventLoop.poller.deregister(pollToken)
        Socket.close(fd)
        server.openConnections.subtract(1, ordering: .relaxed)
        loop.unregister(id)
    }

    // MARK: reading

    private func readAvailable() {
        guard !isClosed else { return }
        let buffer = loop.readBuffer
        let n = recv(fd, buffer.baseAddress, buffer.count, 0)
        if n > 0 {
            perform(machine.bytesReceived(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: .now))
        } else if n == 0 {
            perform(machine.peerClosed())
        } else {
            let code = errno
            guard code != EAGAIN, code != EWOULDBLOCK, code != EINTR else { return }
            perform(machine.peerClosed())
        }
        syncReadInterest()
    }

    /// Pauses reading while pipelined input is at its bound during a response; resumes after.
    func syncReadInterest() {
        guard !isClosed else { return }
        let paused = !machine.wantsToReadInPlace()
        guard paused != readPaused else { return }
        readPaused = paused
        updateInterest()
    }

    /// Tells the poller what this connection waits for now.
    private func updateInterest() {
        var interest: PollInterest = readPaused ? .none : .readable
        if writeWanted { interest.insert(.writable) }
        loop.eventLoop.poller.update(pollToken, interest: interest)
    }

    // MARK: actions

    func perform(_ action: ConnectionStateMachine.Action) {
        switch action {
        case .none:
            break
        case .sendContinue:
            output.append(contentsOf: HTTPResponseEncoder.continueResponse)
            flush()
        case .dispatch(let request):
            dispatch(request)
        case .respondWithError(let reply):
            sendError(reply)
        case .closeAfterFlush:
            if pendingOutput == 0 {
                Socket.shutdownWrite(fd)
            } else {
                shutdownWriteWhenFlushed = true
            }
        case .close(let reason):
            close(reason)
        }
    }

    // MARK: writing

    /// Writes as much pending output as the socket takes; arms the write source for the rest.
    func flush() {
        guard !isClosed else { return }
        var progressed = false
        while outputOffset < output.count {
            let n = output.withUnsafeBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return 0 }
                return send(fd, base + outputOffset, bytes.count - outputOffset, Socket.sendFlags)
            }
            if n > 0 {
                outputOffset += n
                progressed = true
                continue
            }
            let code = errno
            if n < 0, code == EINTR { continue }
            if n < 0, code == EAGAIN || code == EWOULDBLOCK { break }
            // EPIPE, ECONNRESET, …: the peer is gone.
            perform(machine.peerClosed())
            return
        }
        if outputOffset == output.count {
            // Keep a small buffer for the next response; give back what a large one grew to
            // (thousands of idle connections must not each hold a big buffer).
            if output.capacity > 16 * 1024 {
                output = []
            } else {
                output.removeAll(keepingCapacity: true)
            }
            outputOffset = 0
        } else if outputOffset >= 64 * 1024 {
            output.removeSubrange(0..<outputOffset)
            outputOffset = 0
        }
        let pending = pendingOutput
        machine.outputChanged(pending: pending > 0, progressed: progressed, now: .now)
        if pending < server.configuration.writeLowWatermark {
            resumeWriters()
        }
        if pending == 0, shutdownWriteWhenFlushed {
            shutdownWriteWhenFlushed = false
            Socket.shutdownWrite(fd)
        }
        updateWriteInterest()
    }

    private func writable() {
        flush()
        finishResponseIfDrained()
        syncReadInterest()
    }

    /// Write readiness is level-triggered, so it is asked for only while output is pending.
    private func updateWriteInterest() {
        let wants = pendingOutput > 0 && !isClosed
        guard wants != writeWanted, !isClosed else { return }
        writeWanted = wants
        updateInterest()
    }

    func resumeWriters(throwing error: (any Error)? = nil) {
        guard !response.writeWaiters.isEmpty else { return }
        let waiters = response.writeWaiters
        response.writeWaiters.removeAll()
        for waiter in waiters {
            if let error {
                waiter.resume(throwing: error)
            } else {
                waiter.resume()
            }
        }
    }
}
