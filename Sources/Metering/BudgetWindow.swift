// The period a budget counts over, in UTC: the current day, the current month, or all time.
import Glibc

/// A budget's window (contract §9). Boundaries are UTC calendar days and months.
public enum BudgetWindow: String, Sendable, CaseIterable {
    case day
    case month
    case total

    /// Unix seconds of the start of the window containing `now`; nil for `total` (no start).
    public func start(at now: Double) -> Double? {
        switch self {
        case .total: return nil
        case .day:
            let (year, month, day) = Self.civil(now)
            return Self.epoch(year: year, month: month, day: day)
        case .month:
            let (year, month, _) = Self.civil(now)
            return Self.epoch(year: year, month: month, day: 1)
        }
    }

    /// Unix seconds of the start of the next window (`resets_at`); nil for `total`.
    public func resetsAt(after now: Double) -> Double? {
        switch self {
        case .total: return nil
        case .day:
            let (year, month, day) = Self.civil(now)
            return Self.epoch(year: year, month: month, day: day + 1)
        case .month:
            let (year, month, _) = Self.civil(now)
            return month == 12 ? Self.epoch(year: year + 1, month: 1, day: 1) : Self.epoch(year: year, month: month + 1, day: 1)
        }
    }

    /// UTC year, month (1–12) and day of `seconds`.
    private static func civil(_ seconds: Double) -> (Int, Int, Int) {
        var t = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
    }

    /// Unix seconds of 00:00 UTC on the date (`timegm` normalises day 32 into the next month).
    private static func epoch(year: Int, month: Int, day: Int) -> Double {
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        return Double(timegm(&parts))
    }
}
