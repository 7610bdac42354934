// Reading a streamed SSE response event by event, as the events arrive.
import HTTPWire

/// An open streaming response: its head, then events as they arrive; close it at any point.
public final class TestEventStream: @unchecked Sendable {
    public let connection: TestConnection
    public let head: TestResponseHead
    private var parser = SSEParser(keepsComments: true)
    /// Events parsed but not yet returned, in order.
    private var pending: [TestSSEEvent] = []
    private var finished = false

    init(connection: TestConnection, head: TestResponseHead) {
        self.connection = connection
        self.head = head
    }

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }

    /// The next event (skipping comment-only blocks unless `includeComments`), or nil when the
    /// stream ended. Throws `timedOut` if nothing complete arrives in time.
    public func nextEvent(timeout: Duration = patience, includeComments: Bool = false) async throws -> TestSSEEvent? {
        let deadline = ContinuousClock.now + timeout
        while true {
            while !pending.isEmpty {
                let event = pending.removeFirst()
                if includeComments || !event.isComment { return event }
            }
            guard !finished else { return nil }
            let remaining = deadline - .now
            guard remaining > .zero else { throw TestClientError.timedOut(waitingFor: "an SSE event") }
            if head.isChunked {
                if let chunk = try await connection.readChunk(timeout: remaining) {
                    try receive(chunk)
                } else {
                    finished = true
                }
            } else {
                let bytes = try await connection.receive(timeout: remaining)
                if bytes.isEmpty { finished = true } else { try receive(bytes) }
            }
        }
    }

    private func receive(_ bytes: [UInt8]) throws {
        pending += try parser.feed(bytes).map(TestSSEEvent.init)
    }

    /// Every remaining event until the stream ends.
    public func remainingEvents(timeout: Duration = patience) async throws -> [TestSSEEvent] {
        let deadline = ContinuousClock.now + timeout
        var events: [TestSSEEvent] = []
        while let event = try await nextEvent(timeout: deadline - .now) { events.append(event) }
        return events
    }

    /// Closes the connection mid-stream (the server should notice and cancel the handler).
    public func close() {
        connection.close()
    }
}

/// Sends a request and returns once the response head arrived, to read SSE events as they come.
public func openEventStream(
    port: Int, method: String = "POST", path: String, headers: [(String, String)] = [], body: [UInt8] = [],
    timeout: Duration = patience
) async throws -> TestEventStream {
    let connection = try TestConnection(port: port)
    try await connection.send(TestConnection.encodeRequest(method: method, path: path, headers: headers, body: body))
    let head = try await connection.readHead(timeout: timeout)
    return TestEventStream(connection: connection, head: head)
}

/// `openEventStream` with a text body.
public func openEventStream(
    port: Int, method: String = "POST", path: String, headers: [(String, String)] = [], body: String,
    timeout: Duration = patience
) async throws -> TestEventStream {
    try await openEventStream(port: port, method: method, path: path, headers: headers, body: Array(body.utf8), timeout: timeout)
}
