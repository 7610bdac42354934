// Accepts connections from the listening socket on its own queue.
import EventLoops
import Dispatch
import Telemetry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Drives `accept` from a read source. Mutable state is confined to `queue`.
final class Acceptor: @unchecked Sendable {
    private let socket: ListeningSocket
    private let queue = DispatchQueue(label: "threadmeter.http.accept")
    private let logger: Logger
    private let onAccept: @Sendable (Int32, sockaddr_storage) -> Void
    private var source: DispatchSourceRead?
    private var paused = false
    private var stopped = false
    private var listenerClosed = false
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []

    init(socket: ListeningSocket, logger: Logger, onAccept: @escaping @Sendable (Int32, sockaddr_storage) -> Void) {
        self.socket = socket
        self.logger = logger
        self.onAccept = onAccept
    }

    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: socket.fd, queue: queue)
        let fd = socket.fd
        source.setEventHandler { @Sendable in self.acceptAvailable() }
        source.setCancelHandler { @Sendable in
            Socket.close(fd)
            self.listenerClosed = true
            let waiters = self.stopWaiters
            self.stopWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
        self.source = source
        source.resume()
    }

    /// Stops accepting; returns once the listening socket is closed (new connects are refused).
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                guard let source = self.source, !self.listenerClosed else {
                    continuation.resume()
                    return
                }
                self.stopWaiters.append(continuation)
                guard !self.stopped else { return }
                self.stopped = true
                source.cancel()
                if self.paused {
                    self.paused = false
                    source.resume()
                }
            }
        }
    }

    private func acceptAvailable() {
        // Bounded per event so one busy listener cannot starve the queue; the source fires again.
        for _ in 0..<128 where !stopped {
            switch socket.accept() {
            case .accepted(let fd, let peer):
                onAccept(fd, peer)
            case .wouldBlock:
                return
            case .retry:
                continue
            case .exhausted(let code):
                logger.warning("accept failed, pausing for 100 ms", [("error", SystemError.describe(code))])
                pauseBriefly()
                return
            case .failed(let code):
                logger.warning("accept failed", [("error", SystemError.describe(code))])
                return
            }
        }
    }

    /// Out of descriptors: the level-triggered source would spin, so stop watching for a moment.
    private func pauseBriefly() {
        guard !paused, let source else { return }
        paused = true
        source.suspend()
        queue.asyncAfter(deadline: .now() + .milliseconds(100)) { @Sendable in
            guard self.paused, !self.stopped, let source = self.source else { return }
            self.paused = false
            source.resume()
        }
    }
}
