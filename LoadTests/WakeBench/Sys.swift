// Socket, clock and /proc helpers of wake-bench (Glibc only: no package module's internals).
import Glibc

enum Sys {
    static func fail(_ what: String) -> Never {
        let message = "wake-bench: \(what): \(String(cString: strerror(errno)))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        exit(1)
    }

    static func say(_ line: String) {
        let text = line + "\n"
        _ = text.withCString { write(1, $0, strlen($0)) }
    }

    static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A non-blocking listening socket on 127.0.0.1:port.
    static func listen(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { fail("socket") }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        var address = loopback(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { fail("bind 127.0.0.1:\(port)") }
        guard Glibc.listen(fd, 1024) == 0 else { fail("listen") }
        return fd
    }

    /// Accepts one pending connection (non-blocking, TCP_NODELAY), or nil when none is pending.
    static func acceptOne(_ listener: Int32) -> Int32? {
        let fd = accept(listener, nil, nil)  // Glibc does not export accept4
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        return fd
    }

    /// A blocking client connection to 127.0.0.1:port with TCP_NODELAY.
    static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { fail("socket") }
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { fail("connect 127.0.0.1:\(port)") }
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        return fd
    }

    static func sendAll(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int) {
        var sent = 0
        while sent < count {
            let n = send(fd, base + sent, count - sent, Int32(MSG_NOSIGNAL))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { fail("send") }
            sent += n
        }
    }

    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// CPU time (µs, from utime+stime in clock ticks, exited threads included) of process `pid`, and its
    /// context switches summed over /proc/<pid>/task/*/status (threads alive now only).
    static func procUsage(_ pid: Int32) -> (cpuMicros: Double, switches: Int) {
        var cpu = 0.0
        if let stat = readText("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // fields[0] is state (field 3); utime and stime are fields 14 and 15.
            if fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) {
                cpu = (user + system) * 1_000_000 / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        var switches = 0
        if let dir = opendir("/proc/\(pid)/task") {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name.first?.isNumber == true, let status = readText("/proc/\(pid)/task/\(name)/status") else { continue }
                for line in status.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches") || line.hasPrefix("nonvoluntary_ctxt_switches") {
                    switches += Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? 0
                }
            }
            closedir(dir)
        }
        return (cpu, switches)
    }
}
