// wake-bench: what Dispatch's event delivery costs (issue 9). A loopback TCP server in one of three
// designs doing the same tiny work per readable event, and a client measuring one-at-a-time round trips.
//
//   wake-bench --mode dispatch-source|poller|epoll-thread --port P        server (answers 64-byte
//        ping lines with 64-byte pong lines, any "GET … \r\n\r\n" with a fixed keep-alive 200 + 20-byte
//        JSON body, and "STATS\n" with its getrusage)
//   wake-bench --client --port P [--workload pingpong|http] [--count N] [--warmup W] [--pid PID] [--no-stats]
//        N round trips one at a time over one connection: p50/p99/p999 µs; server CPU µs and context
//        switches per round trip (from the server's STATS, and from /proc/PID when --pid is given)
//   wake-bench --stats --port P                                            the server's totals
//
// LoadTests/wake-bench.sh runs the modes side by side with wrk and an nginx anchor.
import Dispatch
import Glibc

var options: [String: String] = [:]
var flags: Set<String> = []
var rest = CommandLine.arguments.dropFirst()[...]
while let argument = rest.popFirst() {
    switch argument {
    case "--client", "--stats", "--no-stats": flags.insert(argument)
    case "--mode", "--port", "--workload", "--count", "--warmup", "--pid":
        guard let value = rest.popFirst() else { Sys.say("wake-bench: \(argument) needs a value"); exit(2) }
        options[argument] = value
    default:
        Sys.say("wake-bench: unknown argument \(argument) (see the top of LoadTests/WakeBench/main.swift)")
        exit(2)
    }
}
guard let port = options["--port"].flatMap({ Int($0) }), (1...65535).contains(port) else {
    Sys.say("wake-bench: --port 1...65535 is required")
    exit(2)
}

if flags.contains("--stats") {
    Client.printStats(port: port)
    exit(0)
}

if flags.contains("--client") {
    let workload = options["--workload"] ?? "pingpong"
    guard workload == "pingpong" || workload == "http" else { Sys.say("wake-bench: --workload pingpong|http"); exit(2) }
    Client.run(port: port, workload: workload, count: Int(options["--count"] ?? "") ?? 20000,
               warmup: Int(options["--warmup"] ?? "") ?? 2000, pid: options["--pid"].flatMap { Int32($0) },
               statsFromServer: !flags.contains("--no-stats"))
    exit(0)
}

signal(SIGPIPE, SIG_IGN)
let mode = options["--mode"] ?? ""
let listener = Sys.listen(port: port)
Sys.say("wake-bench \(mode) listening on 127.0.0.1:\(port) pid \(getpid())")
switch mode {
case "dispatch-source":
    let server = DispatchSourceServer(listener: listener)
    server.start()
    withExtendedLifetime(server) { dispatchMain() }
case "poller":
    let server = PollerServer(listener: listener)
    server.start()
    withExtendedLifetime(server) { dispatchMain() }
case "epoll-thread":
    EpollThreadServer(listener: listener).runOnOwnThread()
default:
    Sys.say("wake-bench: --mode dispatch-source|poller|epoll-thread")
    exit(2)
}
