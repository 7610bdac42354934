// The URLSession (FoundationNetworking) transport: used for https upstreams (no TLS library here).
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Telemetry

/// One URLSession per upstream (connections are reused), with more connections per host than
/// URLSession's default 6 (beyond which requests queue silently), and the configured timeouts:
/// the response head must arrive within `connectTimeout + firstByteTimeout`, and a body may not pause
/// longer than `idleTimeout`. Cancelling the calling Swift task cancels the transfer.
final class URLSessionTransport: UpstreamTransport {
    private let configuration: UpstreamConfiguration
    private let session: URLSession
    private let delegate: URLSessionStreamDelegate

    init(configuration: UpstreamConfiguration, logger: Logger) {
        self.configuration = configuration
        delegate = URLSessionStreamDelegate()
        let sessionConfiguration = URLSessionConfiguration.default
        sessionConfiguration.httpMaximumConnectionsPerHost = max(1, configuration.maxConnections)
        sessionConfiguration.urlCache = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.httpCookieStorage = nil
        sessionConfiguration.httpShouldSetCookies = false
        // A backstop only: our own watchdog enforces the configured timeouts precisely. FoundationNetworking
        // truncates this to whole seconds (0 would time out at once), so keep it at 2 s or more.
        sessionConfiguration.timeoutIntervalForRequest = Self.backstopSeconds(configuration)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1  // callbacks of one task must stay in order
        queue.name = "threadmeter.upstream.urlsession"
        session = URLSession(configuration: sessionConfiguration, delegate: delegate, delegateQueue: queue)
    }

    deinit {
        session.invalidateAndCancel()
    }

    func send(_ request: UpstreamHTTPClient.Request) async throws(UpstreamError) -> UpstreamHTTPResponse {
        let urlRequest = makeURLRequest(request)
        let task = session.dataTask(with: urlRequest)
        let id = task.taskIdentifier
        let (bodyStream, bodyContinuation) = AsyncStream.makeStream(of: BodyChunk.self)
        let cancel: @Sendable () -> Void = { task.cancel() }
        bodyContinuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (head: CheckedContinuation<Result<UpstreamHTTPResponse, UpstreamError>, Never>) in
                delegate.register(id, entry: .init(
                    head: head, body: bodyContinuation, bodyStream: bodyStream, cancel: cancel,
                    lastActivity: .now, timeoutReason: nil, watchdog: nil))
                delegate.setWatchdog(id, startWatchdog(for: id))
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
        return try result.get()
    }

    /// Enforces the head deadline, then the idle timeout between body chunks, for task `id`.
    private func startWatchdog(for id: Int) -> Task<Void, Never> {
        let headDeadline = ContinuousClock.now + configuration.connectTimeout + configuration.firstByteTimeout
        let headTimeout = configuration.connectTimeout + configuration.firstByteTimeout
        let idleTimeout = configuration.idleTimeout
        let delegate = self.delegate
        return Task {
            do {
                while let awaitingHead = delegate.isAwaitingHead(id) {
                    let now = ContinuousClock.now
                    if awaitingHead {
                        if now >= headDeadline {
                            delegate.timeOut(id, reason: .timeout("no response from the upstream within \(headTimeout.seconds) s"))
                            return
                        }
                        // Wake at least every idleTimeout so the idle phase starts soon after the head.
                        try await Task.sleep(until: min(headDeadline, now + idleTimeout))
                    } else {
                        guard let last = delegate.lastActivity(id) else { return }
                        if now >= last + idleTimeout {
                            delegate.timeOut(id, reason: .timeout("the upstream sent nothing for \(idleTimeout.seconds) s"))
                            return
                        }
                        try await Task.sleep(until: last + idleTimeout)
                    }
                }
            } catch {
                return  // CancellationError: the task completed and cancelled its watchdog.
            }
        }
    }

    private func makeURLRequest(_ request: UpstreamHTTPClient.Request) -> URLRequest {
        var url = configuration.baseURL
        for component in request.path.split(separator: "/") {
            url.appendPathComponent(String(component))
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.timeoutInterval = Self.backstopSeconds(configuration)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        return urlRequest
    }

    /// URLSession's own (idle) timeout, longer than any of ours so that ours always fire first.
    static func backstopSeconds(_ configuration: UpstreamConfiguration) -> TimeInterval {
        let sum = configuration.connectTimeout + configuration.firstByteTimeout + configuration.idleTimeout
        return max(2, (sum.seconds + 1).rounded(.up))
    }
}
