// The client side of wake-bench: N round trips, one at a time, over one blocking connection.
import Glibc

struct ServerStats {
    var cpuMicros = 0.0
    var voluntary = 0
    var involuntary = 0
    var blockedWrites = 0
}

enum Client {
    /// Reads up to and including the next '\n' (the stats answer), byte by byte: it is only used twice a run.
    static func readLine(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = recv(fd, &byte, 1, 0)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { Sys.fail("recv (stats)") }
            if byte == 10 { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }

    static func stats(_ fd: Int32) -> ServerStats {
        Wire.statsRequest.withUnsafeBytes { Sys.sendAll(fd, $0.baseAddress!, $0.count) }
        let fields = readLine(fd).split(separator: " ").dropFirst().compactMap { Int($0) }
        guard fields.count == 5 else { Sys.fail("bad STATS answer") }
        return ServerStats(cpuMicros: Double(fields[0] + fields[1]), voluntary: fields[2], involuntary: fields[3], blockedWrites: fields[4])
    }

    /// One ping-pong round trip: 64 bytes out, 64 bytes back.
    static func pingPong(_ fd: Int32, _ buffer: UnsafeMutableRawPointer) {
        Wire.ping.withUnsafeBytes { Sys.sendAll(fd, $0.baseAddress!, $0.count) }
        var got = 0
        while got < Wire.pingSize {
            let n = recv(fd, buffer + got, Wire.pingSize - got, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { Sys.fail("recv (ping-pong)") }
            got += n
        }
    }

    /// One keep-alive GET: reads the head up to CRLF CRLF, then Content-Length bytes of body.
    static func httpGet(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, capacity: Int) {
        Wire.httpRequest.withUnsafeBytes { Sys.sendAll(fd, $0.baseAddress!, $0.count) }
        let bytes = buffer.assumingMemoryBound(to: UInt8.self)
        var got = 0
        var headEnd = -1
        var total = Int.max
        while got < total {
            let n = recv(fd, buffer + got, capacity - got, 0)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { Sys.fail("recv (http)") }
            got += n
            if headEnd < 0, got >= 4 {
                for i in 3..<got where bytes[i] == 10 && bytes[i - 1] == 13 && bytes[i - 2] == 10 && bytes[i - 3] == 13 {
                    headEnd = i + 1
                    break
                }
                if headEnd > 0 {
                    let head = String(decoding: UnsafeBufferPointer(start: bytes, count: headEnd), as: UTF8.self).lowercased()
                    var length = 0
                    for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
                        length = Int(line.dropFirst("content-length:".count).filter { $0 != " " }) ?? 0
                    }
                    total = headEnd + length
                }
            }
        }
    }

    /// Runs `warmup` then `count` round trips and prints one line of key=value figures. With a
    /// wake-bench server (`statsFromServer`) CPU and switches come from its getrusage (exact, all threads);
    /// with `pid` they also come from /proc (clock-tick CPU; switches of the threads alive at the end).
    static func run(port: Int, workload: String, count: Int, warmup: Int, pid: Int32?, statsFromServer: Bool) {
        let fd = Sys.connect(port: port)
        let statsFD = statsFromServer ? Sys.connect(port: port) : -1
        let capacity = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        let http = workload == "http"
        func once() { if http { httpGet(fd, buffer, capacity: capacity) } else { pingPong(fd, buffer) } }
        for _ in 0..<warmup { once() }

        var samples = [UInt64](repeating: 0, count: count)
        let procBefore = pid.map { Sys.procUsage($0) }
        let statsBefore = statsFromServer ? stats(statsFD) : nil
        let began = Sys.nanoseconds()
        for i in 0..<count {
            let start = Sys.nanoseconds()
            once()
            samples[i] = Sys.nanoseconds() - start
        }
        let elapsed = Sys.nanoseconds() - began
        let statsAfter = statsFromServer ? stats(statsFD) : nil
        let procAfter = pid.map { Sys.procUsage($0) }
        close(fd)
        if statsFD >= 0 { close(statsFD) }

        samples.sort()
        func micros(_ q: Double) -> String {
            format(Double(samples[min(count - 1, Int(Double(count) * q))]) / 1000, 1)
        }
        var line = "workload=\(workload) rt=\(count) p50=\(micros(0.5)) p99=\(micros(0.99)) p999=\(micros(0.999)) max=\(micros(1.0))"
        line += " rt_per_s=\(format(Double(count) / (Double(elapsed) / 1e9), 0))"
        if let before = statsBefore, let after = statsAfter {
            let n = Double(count)
            line += " cpu_us=\(format((after.cpuMicros - before.cpuMicros) / n, 2))"
            line += " csw=\(format(Double(after.voluntary + after.involuntary - before.voluntary - before.involuntary) / n, 2))"
            line += " vcsw=\(format(Double(after.voluntary - before.voluntary) / n, 2))"
            line += " ivcsw=\(format(Double(after.involuntary - before.involuntary) / n, 2))"
            line += " blocked_writes=\(after.blockedWrites - before.blockedWrites)"
        }
        if let before = procBefore, let after = procAfter {
            let n = Double(count)
            line += " proc_cpu_us=\(format((after.cpuMicros - before.cpuMicros) / n, 2))"
            line += " proc_csw=\(format(Double(after.switches - before.switches) / n, 2))"
        }
        Sys.say(line)
    }

    /// The server's getrusage as "cpu_us=… csw=… blocked_writes=…" (totals), for the script's wrk runs.
    static func printStats(port: Int) {
        let fd = Sys.connect(port: port)
        let s = stats(fd)
        close(fd)
        Sys.say("cpu_us=\(Int(s.cpuMicros)) csw=\(s.voluntary + s.involuntary) blocked_writes=\(s.blockedWrites)")
    }
}

/// `value` with `digits` decimals (no Foundation).
func format(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (abs(value) * scale).rounded()
    let whole = Int(rounded / scale)
    let fraction = Int(rounded) - whole * Int(scale)
    var text = (value < 0 && rounded > 0 ? "-" : "") + String(whole)
    if digits > 0 {
        let digitsText = String(fraction)
        text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
    }
    return text
}
