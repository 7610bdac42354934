// The bounded keep-alive connection pool of the native transport (one upstream host:port).
import Dispatch
import Foundation
import Synchronization

/// Hands out connections: the most recently idle one first (LIFO, so surplus ones age out), else a
/// new one while fewer than `maxConnections` are open, else the caller waits for one to come back
/// (at most `waitTimeout`). A connection returns only after its response was read completely.
final class NativeConnectionPool: Sendable {
    /// A connection for one request; `reused` when it already served one (it may turn out dead).
    struct Lease: Sendable {
        let connection: NativeConnection
        let reused: Bool
    }

    private enum Grant {
        case lease(Lease)
        case failed(UpstreamError)
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, Never>
    }

    private struct State {
        var idle: [NativeConnection] = []
        /// Connections open or opening, idle ones included.
        var open: [Int: NativeConnection] = [:]
        var waiters: [Waiter] = []
        var nextID = 0
        var closed = false
    }

    let endpoint: NativeEndpoint
    let maxConnections: Int
    let timeouts: NativeConnection.Timeouts
    private let state = Mutex(State())
    private static let loopCount = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 4)
    private static let loops: [DispatchQueue] = (0..<loopCount).map { DispatchQueue(label: "threadmeter.upstream.loop.\($0)") }

    init(endpoint: NativeEndpoint, maxConnections: Int, timeouts: NativeConnection.Timeouts) {
        self.endpoint = endpoint
        self.maxConnections = max(1, maxConnections)
        self.timeouts = timeouts
    }

    /// Connections open right now (idle ones included).
    var openCount: Int { state.withLock { $0.open.count } }

    /// Idle connections ready for reuse.
    var idleCount: Int { state.withLock { $0.idle.count } }

    /// A connection for one request: idle, new, or (at the limit) the next one released.
    func checkout(fresh: Bool = false) async throws(UpstreamError) -> Lease {
        let waiterID = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let grant = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Grant, Never>) in
                let immediate = state.withLock { state -> Grant? in
                    if state.closed { return .failed(.connectionFailed("\(endpoint.target): the upstream client is shut down")) }
                    if !fresh, let connection = state.idle.popLast() { return .lease(Lease(connection: connection, reused: true)) }
                    if state.open.count < maxConnections { return .lease(Lease(connection: makeConnection(&state), reused: false)) }
                    if fresh, let oldest = state.idle.first {
                        // Room for a fresh connection: give up the oldest idle one.
                        state.idle.removeFirst()
                        state.open[oldest.id] = nil
                        oldest.close()
                        return .lease(Lease(connection: makeConnection(&state), reused: false))
                    }
                    state.waiters.append(Waiter(id: waiterID, continuation: continuation))
                    return nil
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                } else {
                    let wait = timeouts.connect
                    Task { [weak self] in
                        try? await Task.sleep(for: wait)
                        self?.expire(waiterID, error: .timeout("no upstream connection became free within \(wait.seconds) s (all \(self?.maxConnections ?? 0) in use)"))
                    }
                }
            }
        } onCancel: {
            expire(waiterID, error: .connectionFailed("\(endpoint.target): request cancelled"))
        }
        switch grant {
        case .lease(let lease): return lease
        case .failed(let error): throw error
        }
    }

    /// A connection finished a response and may be reused (called on its queue).
    func checkin(_ connection: NativeConnection) {
        let waiter = state.withLock { state -> Waiter? in
            guard state.open[connection.id] != nil, !state.closed else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        waiter?.continuation.resume(returning: .lease(Lease(connection: connection, reused: true)))
    }

    /// A connection closed (called on its queue); a waiter gets a new one in its place.
    func discard(_ connection: NativeConnection) {
        let handOff = state.withLock { state -> (Waiter, NativeConnection)? in
            guard state.open.removeValue(forKey: connection.id) != nil else { return nil }
            state.idle.removeAll { $0 === connection }
            guard !state.closed, !state.waiters.isEmpty else { return nil }
            let waiter = state.waiters.removeFirst()
            return (waiter, makeConnection(&state))
        }
        if let (waiter, fresh) = handOff {
            waiter.continuation.resume(returning: .lease(Lease(connection: fresh, reused: false)))
        }
    }

    /// Closes every idle connection and refuses new requests; connections in use close when done.
    func shutDown() {
        let (idle, waiters) = state.withLock { state -> ([NativeConnection], [Waiter]) in
            state.closed = true
            defer { state.idle = []; state.waiters = [] }
            return (state.idle, state.waiters)
        }
        for connection in idle { connection.close() }
        for waiter in waiters {
            waiter.continuation.resume(returning: .failed(.connectionFailed("\(endpoint.target): the upstream client is shut down")))
        }
    }

    private func expire(_ waiterID: Int, error: UpstreamError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == waiterID }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: .failed(error))
    }

    private func makeConnection(_ state: inout State) -> NativeConnection {
        state.nextID += 1
        let id = state.nextID
        let connection = NativeConnection(
            id: id, queue: Self.loops[id % Self.loops.count], endpoint: endpoint, timeouts: timeouts, pool: self)
        state.open[id] = connection
        return connection
    }
}
