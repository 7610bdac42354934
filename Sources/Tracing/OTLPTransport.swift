// The seam between the span exporter and the network: one POST of an encoded export request.
import Foundation
import Synchronization

/// Posts one encoded `ExportTraceServiceRequest`. The service's implementation uses its HTTP
/// client; tests use `InMemoryOTLPTransport`.
public protocol OTLPTransport: Sendable {
    /// POSTs `body` to `url` with `headers` (Content-Type included) and answers how it went,
    /// within `timeout` seconds.
    func post(url: URL, headers: [TracingConfiguration.Header], body: [UInt8], timeout: Double) async -> OTLPPostResult
    /// Releases connections once the exporter has shut down.
    func shutdown()
}

extension OTLPTransport {
    public func shutdown() {}
}

/// What an export POST came to.
public enum OTLPPostResult: Sendable, Equatable {
    /// The receiver answered with this status (and `Retry-After` seconds, if it sent one).
    case status(Int, retryAfter: Double?)
    /// No answer: connection refused, reset, timed out.
    case failed(String)
}

/// Records every post and answers from a script (then 200); a delay makes it slow.
public final class InMemoryOTLPTransport: OTLPTransport {
    public struct Post: Sendable {
        public var url: URL
        public var headers: [TracingConfiguration.Header]
        public var body: [UInt8]
    }

    private struct State {
        var posts: [Post] = []
        var script: [OTLPPostResult] = []
        var delay: Duration = .zero
    }

    private let state: Mutex<State>

    public init(script: [OTLPPostResult] = [], delay: Duration = .zero) {
        state = Mutex(State(script: script, delay: delay))
    }

    public var posts: [Post] { state.withLock { $0.posts } }

    public func post(url: URL, headers: [TracingConfiguration.Header], body: [UInt8], timeout: Double) async -> OTLPPostResult {
        let (result, delay) = state.withLock { state -> (OTLPPostResult, Duration) in
            state.posts.append(Post(url: url, headers: headers, body: body))
            return (state.script.isEmpty ? .status(200, retryAfter: nil) : state.script.removeFirst(), state.delay)
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
        return result
    }
}
