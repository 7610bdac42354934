// Reading a response on a native connection: parser events become the head, body chunks and the end.
import Foundation
import HTTPWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension NativeConnection {
    static let readBufferSize = 64 * 1024

    /// Reads what the socket has (on `queue`).
    func readable() {
        guard phase != .closed else { return }
        let outcome: (count: Int, code: Int32, events: Result<[HTTPResponseParser.Event], HTTPResponseParseError>?) =
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.readBufferSize) { buffer in
                let n = recv(fd, buffer.baseAddress, buffer.count, 0)
                guard n > 0, phase != .idle else { return (n, n < 0 ? errno : 0, nil) }
                do throws(HTTPResponseParseError) {
                    return (n, 0, .success(try parser.feed(UnsafeBufferPointer(rebasing: buffer[0..<n]))))
                } catch {
                    return (n, 0, .failure(error))
                }
            }
        if outcome.count < 0, outcome.code == EAGAIN || outcome.code == EWOULDBLOCK || outcome.code == EINTR { return }
        if phase == .idle {
            // An idle connection only hears the server closing it (or bytes nobody asked for).
            shutDown()
            return
        }
        switch outcome.events {
        case .success(let events):
            handle(events)
        case .failure(let error):
            fail(.malformed("\(endpoint.target): malformed HTTP response: \(error)"), retryable: false)
        case nil:
            ended(reason: outcome.count == 0 ? nil : NativeSocket.describe(outcome.code))
        }
    }

    /// The server closed the connection (`reason` nil) or it failed.
    private func ended(reason: String?) {
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
            let retryable = reused && nothingReceived && (written == 0 || idempotent)
            let what = nothingReceived ? "the upstream closed the connection without a response" : "the upstream closed the connection in the middle of the response head"
            fail(.connectionFailed("\(endpoint.target): \(what)\(detail)"), retryable: retryable)
        } else {
            fail(.connectionFailed("\(endpoint.target): the upstream closed the connection before the body was complete\(detail)"), retryable: false)
        }
    }

    private func handle(_ events: [HTTPResponseParser.Event]) {
        for event in events {
            switch event {
            case .head(let head):
                delivered(head)
            case .body(let bytes):
                lastActivity = .now
                body?.yield(.data(Data(bytes)))
            case .end:
                completed()
            }
        }
    }

    private func delivered(_ head: HTTPResponseHead) {
        var headers: [String: String] = [:]
        for field in head.headers {
            let name = field.name.lowercased()
            if let existing = headers[name] {
                headers[name] = existing + ", " + field.value
            } else {
                headers[name] = field.value
            }
        }
        keepAlive = head.allowsKeepAlive
        phase = .body
        lastActivity = .now
        arm(lastActivity + timeouts.idle)
        guard let continuation = headContinuation, let bodyStream else { return }
        headContinuation = nil
        let exchangeID = self.exchangeID
        continuation.resume(returning: .success(UpstreamHTTPResponse(
            status: head.status,
            headers: headers,
            body: bodyStream,
            cancel: { [weak self] in self?.abort(exchangeID) }
        )))
    }

    /// The response is complete: back to the pool when the server allows it and the request is fully sent.
    private func completed() {
        let finished = body
        body = nil
        bodyStream = nil
        // Back in the pool before the reader learns the body ended, so its next request can reuse it.
        if keepAlive, output.isEmpty, phase == .body {
            phase = .idle
            lastActivity = .now
            arm(lastActivity + timeouts.poolIdle)
            pool?.checkin(self)
        } else {
            shutDown()
        }
        finished?.finish()
    }
}
