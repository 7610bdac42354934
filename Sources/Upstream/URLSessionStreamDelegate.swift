// Routes URLSession data-task callbacks of one session to the requests waiting for them.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// The delegate of an `UpstreamHTTPClient`'s session: hands each task its response head once, then
/// its body chunks as they arrive (never the whole body at once — `bytes(for:)` is missing on Linux).
///
/// `@unchecked Sendable`: the only mutable state is behind the `Mutex`; NSObject is not `Sendable`.
final class URLSessionStreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// What a pending task is waiting for.
    struct Entry {
        var head: CheckedContinuation<Result<UpstreamHTTPResponse, UpstreamError>, Never>?
        var body: AsyncStream<BodyChunk>.Continuation
        /// The stream `body` feeds, handed out with the head.
        var bodyStream: AsyncStream<BodyChunk>
        var cancel: @Sendable () -> Void
        var lastActivity: ContinuousClock.Instant
        /// Set when the client cancelled the task itself because a timeout elapsed.
        var timeoutReason: UpstreamError?
        var watchdog: Task<Void, Never>?
    }

    private let entries = Mutex<[Int: Entry]>([:])
    func register(_ id: Int, entry: Entry) {
        entries.withLock { $0[id] = entry }
    }

    func setWatchdog(_ id: Int, _ watchdog: Task<Void, Never>) {
        let stale = entries.withLock { entries -> Bool in
            guard entries[id] != nil else { return true }
            entries[id]?.watchdog = watchdog
            return false
        }
        if stale { watchdog.cancel() }
    }

    /// Whether the head of task `id` is still awaited; nil when the task is over.
    func isAwaitingHead(_ id: Int) -> Bool? {
        entries.withLock { $0[id].map { $0.head != nil } }
    }

    /// When task `id` last received something; nil when the task is over.
    func lastActivity(_ id: Int) -> ContinuousClock.Instant? {
        entries.withLock { $0[id]?.lastActivity }
    }

    /// Cancels task `id` because a timeout elapsed; its completion then reports `reason`.
    func timeOut(_ id: Int, reason: UpstreamError) {
        let cancel = entries.withLock { entries -> (@Sendable () -> Void)? in
            guard entries[id] != nil else { return nil }
            entries[id]?.timeoutReason = reason
            return entries[id]?.cancel
        }
        cancel?()
    }

    // MARK: URLSessionDataDelegate

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        let id = dataTask.taskIdentifier
        let head = entries.withLock { entries -> (CheckedContinuation<Result<UpstreamHTTPResponse, UpstreamError>, Never>, Entry)? in
            guard var entry = entries[id], let head = entry.head else { return nil }
            entry.head = nil
            entry.lastActivity = .now
            entries[id] = entry
            return (head, entry)
        }
        guard let (continuation, entry) = head else {
            completionHandler(.cancel)
            return
        }
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] {
            if let name = key as? String, let text = value as? String { headers[name.lowercased()] = text }
        }
        completionHandler(.allow)
        continuation.resume(returning: .success(UpstreamHTTPResponse(
            status: http?.statusCode ?? 0,
            headers: headers,
            body: entry.bodyStream,
            cancel: entry.cancel
        )))
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let body = entries.withLock { entries -> AsyncStream<BodyChunk>.Continuation? in
            entries[dataTask.taskIdentifier]?.lastActivity = .now
            return entries[dataTask.taskIdentifier]?.body
        }
        body?.yield(.data(data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = entries.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        entry.watchdog?.cancel()
        let failure = error.map { entry.timeoutReason ?? Self.map($0, url: task.originalRequest?.url) }
        if let head = entry.head {
            head.resume(returning: .failure(failure ?? .connectionFailed("the upstream closed the connection without a response")))
            entry.body.finish()
            return
        }
        if let failure { entry.body.yield(.failed(failure)) }
        entry.body.finish()
    }

    /// Maps a URLSession error to the upstream failure it means.
    static func map(_ error: any Error, url: URL?) -> UpstreamError {
        let nsError = error as NSError
        let target = url.map { "\($0.host ?? "?"):\($0.port.map(String.init) ?? ($0.scheme == "https" ? "443" : "80"))" } ?? "upstream"
        guard nsError.domain == NSURLErrorDomain else {
            return .connectionFailed("\(target): \(nsError.localizedDescription)")
        }
        switch nsError.code {
        case NSURLErrorTimedOut:
            return .timeout("\(target): \(nsError.localizedDescription)")
        case NSURLErrorCancelled:
            return .connectionFailed("\(target): request cancelled")
        case NSURLErrorCannotConnectToHost:
            return .connectionFailed("could not connect to \(target) (connection refused)")
        default:
            return .connectionFailed("\(target): \(nsError.localizedDescription) (\(nsError.code))")
        }
    }
}
