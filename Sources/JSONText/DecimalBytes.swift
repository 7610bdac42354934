// Integers and fixed-point decimals written straight into UTF-8 bytes, without building a String.
import ByteAppending

/// Appends numbers in the forms JSON and log lines use.
public enum DecimalBytes {
    /// Appends `n` in decimal (`-12`, `0`, `9223372036854775807`).
    public static func append(_ n: Int, to out: inout [UInt8]) {
        if n < 0 {
            out.append(UInt8(ascii: "-"))
            appendMagnitude(n.magnitude, to: &out)
        } else {
            appendMagnitude(UInt(n), to: &out)
        }
    }

    /// Appends `units / 10^places` with exactly `places` fraction digits (`append(fixed: 1234, places: 2)` → `12.34`).
    public static func append(fixed units: Int, places: Int, to out: inout [UInt8]) {
        var scale: UInt = 1
        for _ in 0..<places { scale *= 10 }
        if units < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = units.magnitude
        appendMagnitude(magnitude / scale, to: &out)
        guard places > 0 else { return }
        out.append(UInt8(ascii: "."))
        // The fraction's digits, written right to left into zeros already in place.
        let first = out.count
        for _ in 0..<places { out.append(UInt8(ascii: "0")) }
        var fraction = magnitude % scale
        var position = first + places - 1
        while fraction > 0 {
            out[position] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
            position -= 1
        }
    }

    /// Appends `units / 10^places` the way `JSONValue.format` writes that double: trailing fraction
    /// zeros dropped but one kept (`1764766845.120` → `1764766845.12`, `5.000` → `5.0`).
    public static func append(shortestFixed units: Int, places: Int, to out: inout [UInt8]) {
        let start = out.count
        append(fixed: units, places: places, to: &out)
        guard places > 0 else { out.append(literal: ".0"); return }
        while out.count - start > 1, out[out.count - 1] == UInt8(ascii: "0"), out[out.count - 2] != UInt8(ascii: ".") {
            out.removeLast()
        }
    }

    private static func appendMagnitude(_ n: UInt, to out: inout [UInt8]) {
        if n < 10 {
            out.append(UInt8(ascii: "0") + UInt8(n))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = n
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            // One copy of the digits (a slice of the raw buffer would take the generic path).
            out.append(contentsOf: UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + (20 - count), count: count))
        }
    }
}
