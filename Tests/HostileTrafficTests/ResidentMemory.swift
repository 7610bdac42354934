// Resident memory of the test process after giving freed heap pages back to the kernel.
import Glibc
import TestSupport

enum ResidentMemory {
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// glibc's malloc_trim, looked up at run time (Glibc's module map does not export <malloc.h>).
    private static let mallocTrim: MallocTrim? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: MallocTrim.self)
    }()

    /// VmRSS in bytes after trimming the heap, so memory that was freed does not count.
    static func trimmedBytes() -> Int {
        _ = mallocTrim?(0)
        return ProcessStats.residentBytes() ?? 0
    }

    /// Allowed growth over the baseline: loose, since other test targets may run in the same process.
    static let slack = 96 * 1024 * 1024
}
