// errno values as text for logs and errors.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum SystemError {
    /// `strerror` text with the number, e.g. `Address already in use (98)`.
    static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return "\(String(cString: text)) (\(code))"
    }
}
