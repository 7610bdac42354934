// Running the handler and writing its response: whole bodies, streams, server errors.
import ByteAppending
import HTTPWire

extension Connection {
    private static let serverField = Array("Server: threadmeter\r\n".utf8)
    private static let chunkedField = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let closeField = Array("Connection: close\r\n".utf8)
    private static let keepAliveField = Array("Connection: keep-alive\r\n".utf8)
    private static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]

    /// Starts the handler as a task that runs inline until it first suspends and prefers this
    /// connection's event loop as its executor: a handler that answers without suspending costs no
    /// hop, and one that suspends (an actor, the upstream) comes back to this thread.
    func dispatch(_ request: HTTPRequest) {
        guard !isClosed else { return }
        response.generation &+= 1
        let generation = response.generation
        let requestId = server.requestIDs.next()
        response.requestId = requestId
        response.isHEAD = request.method == "HEAD"
        response.isHTTP10 = request.version.minor == 0
        response.complete = false
        let context = RequestContext(remoteAddress: remoteAddress, requestId: requestId)
        let handler = server.handler
        let isHEAD = response.isHEAD
        let task = Task.immediate(executorPreference: loop.eventLoop) {
            let reply = await handler(request, context)
            await self.deliver(reply, generation: generation, isHEAD: isHEAD)
        }
        // If the response already went out inline, a later request may own `response` by now.
        if response.generation == generation, !isClosed {
            response.task = task
        }
    }

    /// Runs in the handler's task: passes the response to the queue, and for a stream runs the
    /// body closure in this task so that cancelling it reaches the producer.
    private func deliver(_ reply: HTTPResponse, generation: Int, isHEAD: Bool) async {
        switch reply.body {
        case .bytes(let body):
            loop.execute { self.sendComplete(reply.status, reply.headers, body, generation: generation) }
        case .stream(let produce):
            loop.execute { self.startStream(reply.status, reply.headers, generation: generation) }
            guard !isHEAD, !HTTPStatus.forbidsBody(reply.status) else { return }
            do {
                try await produce(StreamBodyWriter(connection: self, generation: generation))
                loop.execute { self.finishStream(generation: generation, failure: nil) }
            } catch {
                loop.execute { self.finishStream(generation: generation, failure: error) }
            }
        }
    }

    private func isCurrent(_ generation: Int) -> Bool {
        !isClosed && generation == response.generation
    }

    private func sendComplete(_ status: Int, _ headers: HTTPHeaders, _ body: [UInt8], generation: Int) {
        guard isCurrent(generation) else { return }
        guard let status = validated(status) else {
            sendError(ServerErrorReply(status: 500, code: "internal_error", message: "invalid response status"))
            return
        }
        noteServerShutdown()
        let keepAlive = machine.responseStarting(handlerWantsClose: Self.wantsClose(headers))
        let sendsBody = !response.isHEAD && !HTTPStatus.forbidsBody(status)
        appendHead(status, headers, framing: HTTPStatus.forbidsBody(status) ? .none : .contentLength(body.count), keepAlive: keepAlive)
        if sendsBody { output.append(contentsOf: body) }
        response.complete = true
        flush()
        finishResponseIfDrained()
    }

    private func startStream(_ status: Int, _ headers: HTTPHeaders, generation: Int) {
        guard isCurrent(generation) else { return }
        guard let status = validated(status) else {
            response.generation &+= 1 // The producer's writes now fail; the error response goes out.
            sendError(ServerErrorReply(status: 500, code: "internal_error", message: "invalid response status"))
            return
        }
        // HTTP/1.0 has no chunked coding: the body is delimited by closing the connection.
        let closeDelimited = response.isHTTP10
        noteServerShutdown()
        let keepAlive = machine.responseStarting(handlerWantsClose: Self.wantsClose(headers) || closeDelimited)
        let framing: BodyFraming = HTTPStatus.forbidsBody(status) ? .none : (closeDelimited ? .closeDelimited : .chunked)
        appendHead(status, headers, framing: framing, keepAlive: keepAlive)
        if response.isHEAD || HTTPStatus.forbidsBody(status) {
            response.complete = true
        } else {
            response.streaming = true
            response.chunked = !closeDelimited
        }
        flush()
        finishResponseIfDrained()
    }

    /// What became of a streamed chunk.
    enum ChunkResult {
        /// Queued (and flushed as far as the socket takes it).
        case accepted
        /// Queued, but pending output is above the high watermark: the writer should wait.
        case aboveHighWatermark
        /// The response or connection is gone; nothing was queued.
        case gone
    }

    /// A streamed chunk from the writer (on the queue): frames it, appends it and flushes.
    func appendChunk(_ bytes: [UInt8], generation: Int) -> ChunkResult {
        guard isCurrent(generation), response.streaming else { return .gone }
        if !bytes.isEmpty {
            if response.chunked {
                HTTPResponseEncoder.appendChunk(bytes, into: &output)
            } else {
                output.append(contentsOf: bytes)
            }
            scheduleFlush()
        }
        if isClosed { return .gone }
        return pendingOutput > server.configuration.writeHighWatermark ? .aboveHighWatermark : .accepted
    }

    /// Flushes at the end of this turn of the loop rather than per chunk: the events one upstream
    /// read produced go out in one `send`, and none waits longer than the work already queued.
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.eventLoop.enqueue {
            self.flushScheduled = false
            self.flush()
        }
    }

    /// Keeps a writer waiting until output drains below the low watermark (on the queue).
    func awaitDrain(generation: Int, continuation: CheckedContinuation<Void, any Error>) {
        guard isCurrent(generation), response.streaming else {
            continuation.resume(throwing: ClientDisconnected())
            return
        }
        if pendingOutput <= server.configuration.writeLowWatermark {
            continuation.resume()
        } else {
            response.writeWaiters.append(continuation)
        }
    }

    /// The producer's task was cancelled while a write waited.
    func cancelWriters(generation: Int) {
        guard generation == response.generation else { return }
        resumeWriters(throwing: isClosed ? ClientDisconnected() : CancellationError())
    }

    private func finishStream(generation: Int, failure: (any Error)?) {
        guard isCurrent(generation), response.streaming else { return }
        response.streaming = false
        if let failure {
            // The status is already sent: the only honest signal left is an unterminated body.
            server.logger.warning("response stream failed; closing without the last chunk",
                                  [("remote", remoteAddress), ("request_id", response.requestId), ("error", String(describing: failure))])
            flush()  // What was written before the failure still goes out (best effort).
            perform(machine.abort(.streamFailed))
            return
        }
        if response.chunked {
            output.append(contentsOf: HTTPResponseEncoder.lastChunk)
        }
        response.complete = true
        flush()
        finishResponseIfDrained()
    }

    /// Once the response is fully queued and output is low, moves on (next pipelined request,
    /// idle, or lingering close).
    func finishResponseIfDrained() {
        guard !isClosed, response.complete, pendingOutput <= server.configuration.writeLowWatermark else { return }
        response.complete = false
        response.task = nil
        let next = machine.responseFinished(now: .now)
        if case .dispatch = next {
            // The next pipelined request starts from the queue, not from this stack: handlers
            // answering inline would otherwise nest one frame set per pipelined request.
            loop.eventLoop.enqueue {
                self.perform(next)
                self.syncReadInterest()
            }
        } else {
            perform(next)
            syncReadInterest()
        }
    }

    /// A server-generated error (parse error, timeout) with a JSON body and `Connection: close`.
    func sendError(_ reply: ServerErrorReply) {
        server.logger.warning("request rejected", [
            ("remote", remoteAddress), ("status", String(reply.status)), ("code", reply.code), ("reason", reply.message),
        ])
        response.requestId = server.requestIDs.next()
        response.streaming = false
        _ = machine.responseStarting(handlerWantsClose: true)
        let body = reply.body
        appendHead(reply.status, Self.jsonHeaders, framing: .contentLength(body.count), keepAlive: false)
        output.append(contentsOf: body)
        response.complete = true
        flush()
        finishResponseIfDrained()
    }

    /// Status line, the handler's fields (minus those the server owns), then `Server`, `Date`,
    /// `X-Request-Id`, framing and `Connection`.
    private func appendHead(_ status: Int, _ headers: HTTPHeaders, framing: BodyFraming, keepAlive: Bool) {
        let requestId = response.requestId, isHTTP10 = response.isHTTP10, dateCache = server.dateCache
        // One exclusive access to `output` for the whole head (not one per append).
        let dropped = Self.writeHead(status, headers, framing: framing, keepAlive: keepAlive,
                                     requestId: requestId, isHTTP10: isHTTP10, dateCache: dateCache, into: &output)
        for name in dropped {
            server.logger.warning("dropped an invalid response header field", [("name", name), ("request_id", requestId)])
        }
    }

    /// Writes the head; returns the names of the handler's fields it dropped as invalid.
    private static func writeHead(_ status: Int, _ headers: HTTPHeaders, framing: BodyFraming, keepAlive: Bool,
                                  requestId: String, isHTTP10: Bool, dateCache: HTTPDateCache,
                                  into output: inout [UInt8]) -> [String] {
        HTTPResponseEncoder.appendStatusLine(status, into: &output)
        var dropped: [String] = []
        var hasServer = false, hasDate = false, hasRequestId = false
        for field in headers.fields {
            switch ServerOwnedField(field.name) {
            case .framing:
                continue
            case .server: hasServer = true
            case .date: hasDate = true
            case .requestId: hasRequestId = true
            case nil: break
            }
            guard HTTPResponseEncoder.isValidField(name: field.name, value: field.value) else {
                dropped.append(field.name)
                continue
            }
            HTTPResponseEncoder.appendField(name: field.name, value: field.value, into: &output)
        }
        if !hasServer { output.append(contentsOf: serverField) }
        if !hasDate {
            output.append(literal: "Date: ")
            dateCache.append(into: &output)
            HTTPResponseEncoder.appendCRLF(into: &output)
        }
        if !hasRequestId { HTTPResponseEncoder.appendField(name: "X-Request-Id", value: requestId, into: &output) }
        switch framing {
        case .contentLength(let length): HTTPResponseEncoder.appendField(name: "Content-Length", decimal: length, into: &output)
        case .chunked: output.append(contentsOf: chunkedField)
        case .closeDelimited, .none: break
        }
        if !keepAlive {
            output.append(contentsOf: closeField)
        } else if isHTTP10 {
            output.append(contentsOf: keepAliveField)
        }
        HTTPResponseEncoder.appendCRLF(into: &output)
        return dropped
    }

    private func validated(_ status: Int) -> Int? {
        guard (200...999).contains(status) else {
            server.logger.warning("handler returned an invalid status", [("status", String(status)), ("request_id", response.requestId)])
            return nil
        }
        return status
    }

    /// A response started after shutdown began carries `Connection: close`, even if this loop has
    /// not yet run its shutdown pass.
    private func noteServerShutdown() {
        if server.isShuttingDown, !machine.shuttingDown {
            perform(machine.beginShutdown())
        }
    }

    /// Whether the handler's `Connection` field asks to close.
    private static func wantsClose(_ headers: HTTPHeaders) -> Bool {
        headers.containsToken("close", inFieldsNamed: "Connection")
    }
}

/// Response fields the server writes itself.
private enum ServerOwnedField {
    /// `Content-Length`, `Transfer-Encoding`, `Connection`: always decided by the server.
    case framing
    /// Kept if the handler set them; added otherwise.
    case server, date, requestId

    init?(_ name: String) {
        switch name.utf8.count {
        case 14 where name.caseInsensitiveEquals("content-length"): self = .framing
        case 17 where name.caseInsensitiveEquals("transfer-encoding"): self = .framing
        case 10 where name.caseInsensitiveEquals("connection"): self = .framing
        case 6 where name.caseInsensitiveEquals("server"): self = .server
        case 4 where name.caseInsensitiveEquals("date"): self = .date
        case 12 where name.caseInsensitiveEquals("x-request-id"): self = .requestId
        default: return nil
        }
    }
}
