// OS threads and resident memory of this process (Linux /proc), for resource assertions.
import Foundation

public enum ProcessStats {
    /// Number of OS threads (entries of /proc/self/task); nil where /proc is unavailable.
    public static func threadCount() -> Int? {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task"))?.count
    }

    /// Resident set size in bytes (from /proc/self/statm); nil where unavailable.
    public static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
