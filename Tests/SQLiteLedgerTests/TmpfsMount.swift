import Foundation
import Glibc
import Testing

/// A small tmpfs mounted for a test (needs root): a real filesystem that can be filled up or made
/// read-only without touching the machine's disks.
struct TmpfsMount {
    let path: String

    /// Whether this process may mount tmpfs (probes once).
    static let isPermitted: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = "/tmp/threadmeter-tmpfs-probe-\(getpid())"
        guard mkdir(probe, 0o700) == 0 else { return false }
        defer { rmdir(probe) }
        guard Glibc.mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount2(probe, Int32(MNT_DETACH))
        return true
    }()

    init(at path: String, sizeKiB: Int) throws {
        self.path = path
        guard mkdir(path, 0o700) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard Glibc.mount("tmpfs", path, "tmpfs", 0, "size=\(sizeKiB)k") == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remountReadOnly() throws {
        guard Glibc.mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT | MS_RDONLY), nil) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    /// Writes a file that takes all remaining space; returns its path.
    func fill() -> String {
        let filler = file("filler")
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if fd < 0 {
            Issue.record("cannot create filler: \(String(cString: strerror(errno)))")
            return filler
        }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4_096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        return filler
    }

    func unmount() {
        if umount2(path, Int32(MNT_DETACH)) != 0 {
            Issue.record("umount \(path) failed: \(String(cString: strerror(errno)))")
        }
    }
}
