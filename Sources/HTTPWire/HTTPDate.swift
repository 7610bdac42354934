// The IMF-fixdate form of the Date header (RFC 9110 §5.6.7), formatted without Foundation.
import ByteAppending

/// Formats Unix times as IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
public enum HTTPDate {
    /// The IMF-fixdate for whole seconds since 1970-01-01T00:00:00Z.
    public static func imfFixdate(_ epochSeconds: Int) -> String {
        String(decoding: bytes(epochSeconds), as: UTF8.self)
    }

    /// The 29 bytes of the IMF-fixdate.
    public static func bytes(_ epochSeconds: Int) -> [UInt8] {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondOfDay = epochSeconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let weekday = ((days % 7) + 7 + 4) % 7 // 1970-01-01 was a Thursday.
        let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out: [UInt8] = []
        out.reserveCapacity(29)
        out.append(utf8: dayNames[weekday])
        out.append(literal: ", ")
        appendTwoDigits(day, &out)
        out.append(HTTPByteClass.sp)
        out.append(utf8: monthNames[month - 1])
        out.append(HTTPByteClass.sp)
        appendTwoDigits(year / 100 % 100, &out)
        appendTwoDigits(year % 100, &out)
        out.append(HTTPByteClass.sp)
        appendTwoDigits(secondOfDay / 3600, &out)
        out.append(HTTPByteClass.colon)
        appendTwoDigits(secondOfDay / 60 % 60, &out)
        out.append(HTTPByteClass.colon)
        appendTwoDigits(secondOfDay % 60, &out)
        out.append(literal: " GMT")
        return out
    }

    private static func appendTwoDigits(_ n: Int, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "0") + UInt8(n / 10))
        out.append(UInt8(ascii: "0") + UInt8(n % 10))
    }

    /// Proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
