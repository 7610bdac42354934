// Many raw non-blocking client sockets at once: open, trickle or dump bytes, check for a close, abandon.
import TestSupport
import Glibc

/// Plain file descriptors, no per-connection thread or queue, so a test can hold thousands.
enum RawSockets {
    /// Starts a non-blocking connection to 127.0.0.1:`port`; nil when out of descriptors.
    static func open(port: Int, receiveBuffer: Int32? = nil) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        if var size = receiveBuffer {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 || errno == EINPROGRESS else {
            Glibc.close(fd)
            return nil
        }
        return fd
    }

    /// Opens `count` connections and waits (up to `timeout`) until each is established.
    static func openMany(_ count: Int, port: Int, receiveBuffer: Int32? = nil, timeout: Duration = patience) -> [Int32] {
        var fds: [Int32] = []
        fds.reserveCapacity(count)
        for _ in 0..<count {
            guard let fd = open(port: port, receiveBuffer: receiveBuffer) else { break }
            fds.append(fd)
        }
        waitWritable(fds, timeout: timeout)
        return fds
    }

    /// Polls until every socket is writable (connected) or the timeout passes.
    static func waitWritable(_ fds: [Int32], timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        var pending = fds
        while !pending.isEmpty, ContinuousClock.now < deadline {
            var polls = pending.map { pollfd(fd: $0, events: Int16(POLLOUT), revents: 0) }
            _ = poll(&polls, nfds_t(polls.count), 50)
            pending = polls.filter { $0.revents & Int16(POLLOUT) == 0 && $0.revents & Int16(POLLERR | POLLHUP) == 0 }.map(\.fd)
        }
    }

    /// Sends what the socket takes now (non-blocking); returns the bytes sent.
    @discardableResult
    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        return offset
    }

    /// Reads and discards what has arrived; true once the peer has closed (EOF or reset).
    static func peerClosed(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { continue }
            if n == 0 { return true }
            if errno == EINTR { continue }
            return errno != EAGAIN && errno != EWOULDBLOCK
        }
    }

    /// Closes every socket; with `reset`, with an RST instead of a FIN.
    static func close(_ fds: [Int32], reset: Bool = false) {
        for fd in fds {
            if reset {
                var option = linger(l_onoff: 1, l_linger: 0)
                _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
            }
            Glibc.close(fd)
        }
    }
}
