// The current Date header value, formatted at most once per second.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Caches the IMF-fixdate of the current second so responses don't format dates.
public final class HTTPDateCache: Sendable {
    private struct Entry {
        var second: Int
        var bytes: [UInt8]
    }

    private let now: @Sendable () -> Int
    private let entry: Mutex<Entry>

    /// - Parameter now: the current Unix time in whole seconds (injected for tests).
    public init(now: @escaping @Sendable () -> Int = { Int(time(nil)) }) {
        self.now = now
        let second = now()
        self.entry = Mutex(Entry(second: second, bytes: HTTPDate.bytes(second)))
    }

    /// Appends the current date's 29 bytes, reformatting only when the second changed.
    public func append(into buffer: inout [UInt8]) {
        let second = now()
        entry.withLock { entry in
            if entry.second != second {
                entry = Entry(second: second, bytes: HTTPDate.bytes(second))
            }
            buffer.append(contentsOf: entry.bytes)
        }
    }

    /// The current value as a string.
    public var current: String {
        var bytes: [UInt8] = []
        append(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
