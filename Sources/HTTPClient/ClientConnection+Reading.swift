// Reading on a client connection: the proxy's CONNECT answer, TLS records, then parser events
// become the head, body chunks and the end.
import EventLoops
import HTTPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ClientConnection {
    static let readBufferSize = 64 * 1024

    /// Reads what the socket has (on the loop).
    func readable() {
        guard phase != .closed, fd >= 0 else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.readBufferSize) { buffer in
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 {
                received(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<n]))
                return
            }
            let code = errno
            if n < 0, code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return }
            ended(reason: n == 0 ? nil : SystemError.text(code))
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        switch phase {
        case .tunnelling:
            tunnelAnswer.append(contentsOf: bytes)
            readTunnelAnswer()
        case .handshaking:
            tls?.feed(bytes)
            advanceHandshake()
        case .idle where tls == nil:
            // An idle connection only hears the server closing it (or bytes nobody asked for).
            shutDown()
        case .writing, .awaitingHead, .body, .idle:
            if let tls {
                tls.feed(bytes)
                drainTLS()
            } else {
                deliver(bytes.assumingMemoryBound(to: UInt8.self))
            }
        case .fresh, .resolving, .connecting, .closed:
            break
        }
    }

    /// Decrypts what TLS can while the body's reader keeps up, and sends what TLS wants sent.
    func drainTLS() {
        guard let tls else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.readBufferSize) { buffer in
            while !readPaused, phase != .closed {
                switch tls.read(into: UnsafeMutableRawBufferPointer(buffer)) {
                case .data(let n):
                    if phase == .idle {
                        shutDown()  // bytes nobody asked for
                        return
                    }
                    deliver(UnsafeBufferPointer(start: buffer.baseAddress, count: n))
                case .wantRead:
                    return
                case .closed:
                    ended(reason: nil)
                    return
                case .failed(let message):
                    ended(reason: message)
                    return
                }
            }
        }
        if phase != .closed, !outbound.isEmpty { flush() }
    }

    /// The proxy's answer to `CONNECT`, once its head is complete.
    private func readTunnelAnswer() {
        let terminator: [UInt8] = [13, 10, 13, 10]
        guard tunnelAnswer.count >= 4,
              let end = (0...(tunnelAnswer.count - 4)).first(where: { tunnelAnswer[$0..<$0 + 4].elementsEqual(terminator) }) else {
            if tunnelAnswer.count > 64 * 1024 { fail(.malformedResponse("\(target): oversized proxy answer"), retryable: false) }
            return
        }
        var parser = HTTPResponseParser(requestWasHEAD: true)  // a CONNECT answer has no body
        let headBytes = Array(tunnelAnswer[..<(end + 4)])
        let leftover = tunnelAnswer[(end + 4)...]
        tunnelAnswer = []
        do throws(HTTPResponseParseError) {
            for case .head(let head) in try parser.feed(headBytes) {
                tunnelAnswered(head, leftover: leftover)
                return
            }
            fail(.malformedResponse("\(target): incomplete proxy answer"), retryable: false)
        } catch {
            fail(.malformedResponse("\(target): malformed proxy answer: \(error)"), retryable: false)
        }
    }

    private func deliver(_ bytes: UnsafeBufferPointer<UInt8>) {
        let events: [HTTPResponseParser.Event]
        do throws(HTTPResponseParseError) {
            events = try parser.feed(bytes)
        } catch {
            fail(.malformedResponse("\(target): malformed HTTP response: \(error)"), retryable: false)
            return
        }
        handle(events)
    }

    /// The server closed the connection (`reason` nil) or it failed.
    private func ended(reason: String?) {
        switch phase {
        case .idle:
            shutDown()
            return
        case .tunnelling:
            fail(.connectionFailed("\(target): the proxy closed the connection before answering CONNECT"), retryable: false)
            return
        case .handshaking:
            fail(.tlsFailed("TLS handshake with \(target) failed: the server closed the connection\(reason.map { " (\($0))" } ?? "")"), retryable: false)
            return
        default:
            break
        }
        if reason == nil {
            do throws(HTTPResponseParseError) {
                let events = try parser.finish()
                handle(events)
                if phase != .closed { shutDown() }
                return
            } catch {
                // Truncated: reported below.
            }
        }
        let detail = reason.map { " (\($0))" } ?? ""
        if headContinuation != nil {
            let nothingReceived = !parser.hasReceivedBytes
            // A reused connection the server had already closed: safe to resend if nothing of the
            // request can have been acted on (nothing written) or the method is idempotent.
            let retryable = reused && nothingReceived && (!requestBytesSent || idempotent)
            let what = nothingReceived ? "the upstream closed the connection without a response" : "the upstream closed the connection in the middle of the response head"
            fail(.connectionFailed("\(target): \(what)\(detail)"), retryable: retryable)
        } else {
            fail(.connectionFailed("\(target): the upstream closed the connection before the body was complete\(detail)"), retryable: false)
        }
    }

    private func handle(_ events: [HTTPResponseParser.Event]) {
        for event in events {
            switch event {
            case .head(let head):
                delivered(head)
            case .body(let bytes):
                lastActivity = .now
                if let body, !body.yield(bytes) { pauseReading() }
            case .end:
                completed()
            }
        }
    }

    private func delivered(_ head: HTTPResponseHead) {
        keepAlive = head.allowsKeepAlive
        phase = .body
        lastActivity = .now
        arm(lastActivity + settings.idleTimeout)
        guard let continuation = headContinuation else { return }
        headContinuation = nil
        let exchangeID = self.exchangeID
        let stream = ResponseBodyStream(
            loop: loop, highWatermark: settings.bodyHighWatermark, lowWatermark: settings.bodyLowWatermark,
            resume: { [weak self] in self?.resumeReading(exchangeID) },
            cancel: { [weak self] in self?.abort(exchangeID) })
        body = stream
        continuation.resume(returning: .success(HTTPClientResponse(status: head.status, headers: head.headers, body: .init(stream))))
    }

    /// The response is complete: back to the pool when the server allows it and the request is fully sent.
    private func completed() {
        let finished = body
        body = nil
        // Back in the pool before the reader learns the body ended, so its next request can reuse it.
        if keepAlive, outbound.isEmpty, phase == .body {
            phase = .idle
            lastActivity = .now
            arm(lastActivity + settings.poolIdleTimeout)
            if readPaused {
                readPaused = false
                resumeReadSource()
            }
            pool?.checkin(self)
        } else {
            shutDown()
        }
        finished?.finish(nil)
    }
}
