// The kept-alive connections of one origin, kept per event loop, under one cap.
import EventLoops
import Synchronization

/// Hands out connections for one origin. Idle connections are kept per event loop: a request made on
/// a loop takes that loop's most recently idle connection (LIFO, so surplus ones age out) or opens a
/// new one on that loop, so its reads land on the thread that asked. While fewer than
/// `maxConnections` are open a new one is opened; at the cap an idle connection of another loop is
/// borrowed, else the request waits (at most the connect timeout) for one to come back. A connection
/// returns only after its response was read completely.
final class ConnectionPool: Sendable {
    /// A connection for one request; `reused` when it already served one (it may turn out dead).
    struct Lease: Sendable {
        let connection: ClientConnection
        let reused: Bool
    }

    private enum Grant {
        case lease(Lease)
        case failed(HTTPClientError)
    }

    private struct Waiter {
        let id: Int
        let loop: EventLoop?
        let continuation: CheckedContinuation<Grant, Never>
    }

    private struct State {
        /// Idle connections per loop index, most recently idle last.
        var idle: [[ClientConnection]]
        /// Connections open or opening, idle ones included.
        var open: [Int: ClientConnection] = [:]
        var waiters: [Waiter] = []
        var nextID = 0
        var closed = false
    }

    let route: ConnectionRoute
    let maxConnections: Int
    private let settings: ConnectionSettings
    private let group: EventLoopGroup
    private let state: Mutex<State>

    init(route: ConnectionRoute, maxConnections: Int, settings: ConnectionSettings, group: EventLoopGroup) {
        self.route = route
        self.maxConnections = max(1, maxConnections)
        self.settings = settings
        self.group = group
        state = Mutex(State(idle: Array(repeating: [], count: group.loops.count)))
    }

    /// A connection for one request made on `loop` (nil: not on a loop of the group): idle, new, or
    /// (at the limit) the next one released. `fresh` asks for a new connection (a retry).
    func checkout(on loop: EventLoop?, fresh: Bool) async throws(HTTPClientError) -> Lease {
        let waiterID = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        let grant = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Grant, Never>) in
                let immediate = state.withLock { state -> Grant? in
                    if state.closed { return .failed(.connectionFailed("\(route.origin): the HTTP client is shut down")) }
                    if !fresh, let connection = takeIdle(&state, preferring: loop, anyLoop: loop == nil) {
                        return .lease(Lease(connection: connection, reused: true))
                    }
                    if state.open.count < maxConnections {
                        return .lease(Lease(connection: makeConnection(&state, on: loop), reused: false))
                    }
                    if !fresh, let connection = takeIdle(&state, preferring: loop, anyLoop: true) {
                        return .lease(Lease(connection: connection, reused: true))
                    }
                    if fresh, let oldest = takeOldestIdle(&state) {
                        // Room for a fresh connection: give up the oldest idle one.
                        state.open[oldest.id] = nil
                        oldest.close()
                        return .lease(Lease(connection: makeConnection(&state, on: loop), reused: false))
                    }
                    state.waiters.append(Waiter(id: waiterID, loop: loop, continuation: continuation))
                    return nil
                }
                if let immediate {
                    continuation.resume(returning: immediate)
                } else {
                    let wait = settings.connectTimeout
                    (loop ?? group.next()).schedule(after: wait) { [weak self] in
                        guard let self else { return }
                        expire(waiterID, error: .timeout("no connection to \(route.origin) became free within \(wait.seconds) s (all \(maxConnections) in use)"))
                    }
                }
            }
        } onCancel: {
            expire(waiterID, error: .connectionFailed("\(route.origin): request cancelled"))
        }
        switch grant {
        case .lease(let lease): return lease
        case .failed(let error): throw error
        }
    }

    /// A connection finished a response and may be reused (called on its loop).
    func checkin(_ connection: ClientConnection) {
        let waiter = state.withLock { state -> Waiter? in
            guard state.open[connection.id] != nil, !state.closed else { return nil }
            if !state.waiters.isEmpty {
                // A waiter of the same loop first, else the oldest.
                let index = state.waiters.firstIndex { $0.loop === connection.loop } ?? 0
                return state.waiters.remove(at: index)
            }
            state.idle[connection.loop.index].append(connection)
            return nil
        }
        waiter?.continuation.resume(returning: .lease(Lease(connection: connection, reused: true)))
    }

    /// A connection closed (called on its loop); a waiter gets a new one in its place.
    func discard(_ connection: ClientConnection) {
        let handOff = state.withLock { state -> (Waiter, ClientConnection)? in
            guard state.open.removeValue(forKey: connection.id) != nil else { return nil }
            state.idle[connection.loop.index].removeAll { $0 === connection }
            guard !state.closed, !state.waiters.isEmpty else { return nil }
            let waiter = state.waiters.removeFirst()
            return (waiter, makeConnection(&state, on: waiter.loop))
        }
        if let (waiter, fresh) = handOff {
            waiter.continuation.resume(returning: .lease(Lease(connection: fresh, reused: false)))
        }
    }

    /// Closes every idle connection and refuses new requests; connections in use close when done.
    func shutDown() {
        let (idle, waiters) = state.withLock { state -> ([ClientConnection], [Waiter]) in
            state.closed = true
            defer {
                state.idle = Array(repeating: [], count: state.idle.count)
                state.waiters = []
            }
            return (state.idle.flatMap { $0 }, state.waiters)
        }
        for connection in idle { connection.close() }
        for waiter in waiters {
            waiter.continuation.resume(returning: .failed(.connectionFailed("\(route.origin): the HTTP client is shut down")))
        }
    }

    /// The loop index of each idle connection (for tests of loop affinity).
    var idleLoopIndexes: [Int] {
        state.withLock { state in state.idle.indices.flatMap { index in state.idle[index].map { _ in index } } }
    }

    private func expire(_ waiterID: Int, error: HTTPClientError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == waiterID }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: .failed(error))
    }

    /// The most recently idle connection of `loop`; with `anyLoop`, of any loop when that one has none.
    private func takeIdle(_ state: inout State, preferring loop: EventLoop?, anyLoop: Bool) -> ClientConnection? {
        if let loop, let connection = state.idle[loop.index].popLast() { return connection }
        guard anyLoop else { return nil }
        let start = loop?.index ?? 0
        for offset in 0..<state.idle.count {
            let index = (start + offset) % state.idle.count
            if let connection = state.idle[index].popLast() { return connection }
        }
        return nil
    }

    private func takeOldestIdle(_ state: inout State) -> ClientConnection? {
        for index in state.idle.indices where !state.idle[index].isEmpty {
            return state.idle[index].removeFirst()
        }
        return nil
    }

    private func makeConnection(_ state: inout State, on loop: EventLoop?) -> ClientConnection {
        state.nextID += 1
        let connection = ClientConnection(id: state.nextID, loop: loop ?? group.next(), route: route, settings: settings, pool: self)
        state.open[connection.id] = connection
        return connection
    }
}
