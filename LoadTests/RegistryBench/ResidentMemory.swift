// The process's resident set size, from /proc/self/status.
import Foundation

enum ResidentMemory {
    /// VmRSS in bytes, or nil when /proc is unavailable.
    static func bytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return digits.map { $0 * 1_024 }
        }
        return nil
    }
}
