// errno values as text for logs and errors.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `strerror` text for errno values.
package enum SystemError {
    /// `strerror` text with the number, e.g. `Address already in use (98)`.
    package static func describe(_ code: Int32) -> String {
        "\(text(code)) (\(code))"
    }

    /// `strerror` text alone, e.g. `Connection refused`.
    package static func text(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
