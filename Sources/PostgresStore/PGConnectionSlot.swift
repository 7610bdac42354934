// One pooled libpq connection and what it is doing; used only on the pool's queue.
import CLibPQ

/// A slot of the pool: a libpq connection (or none while broken), its prepared statements, and the
/// request it is serving. Touched only on the pool's queue.
final class PGConnectionSlot {
    enum State: Equatable {
        /// No connection; a reconnect is due at `retryAt` (uptime nanoseconds).
        case broken
        /// `PQconnectPoll` in progress.
        case connecting
        /// Connected and free.
        case idle
        /// Connected, serving `current`.
        case busy
    }

    let index: Int
    var state: State = .broken
    var conn: OpaquePointer?
    /// The socket registered in the pool's epoll set (-1 when none).
    var fd: Int32 = -1
    var prepared: Set<String> = []
    var current: PGRequest?
    /// Which step of `current` runs, and whether its statement is being prepared first.
    var stepIndex = 0
    var preparing = false
    var stepRows: PGRows?
    var stepError: PostgresError?
    /// Held by a session (`withSession`): requests of that session only.
    var pinned = false
    /// When the connection attempt must be given up (uptime nanoseconds).
    var connectDeadline: UInt64 = 0
    /// Consecutive failed connection attempts (for the backoff) and when to try again.
    var failures = 0
    var retryAt: UInt64 = 0
    /// The libpq error of the latest failure.
    var lastError: PostgresError?

    init(index: Int) {
        self.index = index
    }
}

/// Work for one connection: steps sent one after another, results handed to `completion`.
final class PGRequest {
    let steps: [PGStep]
    /// Uptime nanoseconds after which the request fails with `.timeout`.
    let deadline: UInt64
    let completion: (Result<[PGRows], PostgresError>) -> Void
    var results: [PGRows] = []
    /// For a session's requests: the slot they must run on.
    let slot: Int?

    init(steps: [PGStep], deadline: UInt64, slot: Int? = nil, completion: @escaping (Result<[PGRows], PostgresError>) -> Void) {
        self.steps = steps
        self.deadline = deadline
        self.slot = slot
        self.completion = completion
    }
}
