// ISO 8601 UTC timestamps with milliseconds, without Foundation's formatters on the hot path.
import Foundation
import Synchronization

/// Formats `2026-11-22T20:10:24.123Z`. The part up to the second is computed once per second and
/// cached, so a log line costs a lookup and three digits.
enum Timestamps {
    private struct Cached: Sendable {
        var second: Int = .min
        /// `YYYY-MM-DDTHH:MM:SS.` of `second`, as UTF-8.
        var prefix: [UInt8] = []
    }

    private static let cache = Mutex(Cached())

    static func iso8601(_ date: Date) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        appendISO8601(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The same text appended as bytes (a log line's first field): no `String` is made.
    static func appendISO8601(_ date: Date, to out: inout [UInt8]) {
        let interval = date.timeIntervalSince1970
        let second = Int(interval.rounded(.down))
        let millis = min(999, max(0, Int((interval - Double(second)) * 1000)))
        cache.withLock { cached in
            if cached.second != second {
                cached.second = second
                cached.prefix = Array(secondPrefix(second).utf8)
            }
            out.append(contentsOf: cached.prefix)
        }
        out.append(UInt8(48 + millis / 100))
        out.append(UInt8(48 + millis / 10 % 10))
        out.append(UInt8(48 + millis % 10))
        out.append(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DDTHH:MM:SS.` for a Unix second.
    private static func secondPrefix(_ second: Int) -> String {
        var t = time_t(second)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
    }
}
