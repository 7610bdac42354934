// Calendar days in UTC, as the usage history groups them.
import Glibc

/// Formats Unix seconds as a UTC `YYYY-MM-DD` day.
public enum UTCDay {
    public static func string(from unixSeconds: Double) -> String {
        var t = time_t(unixSeconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let year = Int(parts.tm_year) + 1900
        let month = Int(parts.tm_mon) + 1
        let day = Int(parts.tm_mday)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
