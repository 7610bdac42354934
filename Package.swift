// swift-tools-version:6.0
// ThreadMeter: a token-metering SSE proxy in front of an OpenAI-style thread API.
// No package dependencies by design: toolchain libraries and system C libraries only.
import PackageDescription

let package = Package(
    name: "ThreadMeter",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "threadmeter", targets: ["threadmeter"]),
        .executable(name: "threadmeter-load", targets: ["threadmeter-load"]),
    ],
    targets: [
        // text appended to byte buffers in one copy (the wire writers' building block).
        .target(name: "ByteAppending"),
        // bytes <-> HTTP messages and server-sent events; no sockets.
        .target(name: "HTTPWire", dependencies: ["ByteAppending"]),
        // serial Dispatch queues per core: the event loops every socket, timer and handler task runs on.
        .target(name: "EventLoops", dependencies: ["CEpoll"]),
        // JSON text <-> one ordered JSON value type: a strict one-pass reader and a one-line writer.
        .target(name: "JSONText", dependencies: ["ByteAppending"]),
        // logger, metrics, Prometheus text rendering.
        .target(name: "Telemetry", dependencies: ["ByteAppending", "EventLoops", "JSONText"]),
        // Dispatch sockets, connections, timeouts, backpressure, shutdown.
        .target(name: "HTTPServer", dependencies: ["ByteAppending", "EventLoops", "HTTPWire", "Telemetry"]),
        // the domain: usage arithmetic, thread registry actor, pricing, ledger protocol.
        .target(name: "Metering", dependencies: ["Telemetry"]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // OpenSSL 3 (libssl, libcrypto) for TLS to upstreams.
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        // HTTP/1.1 client on the event loops: pooled keep-alive connections, TLS, proxies, DNS off the loops.
        .target(name: "HTTPClient", dependencies: ["ByteAppending", "COpenSSL", "EventLoops", "HTTPWire"]),
        // the durable SQLite store behind the ledger protocol.
        .target(name: "SQLiteLedger", dependencies: ["CSQLite", "Metering", "Telemetry"]),
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        // the shared usage store of several replicas on PostgreSQL (libpq, asynchronous API).
        .target(name: "PostgresStore", dependencies: ["CLibPQ", "CEpoll", "Metering", "Telemetry"]),
        // SSE parser, Assistants/Responses adapters over the HTTP client, simulated assistant.
        .target(name: "Upstream", dependencies: ["EventLoops", "HTTPClient", "HTTPWire", "JSONText", "Metering", "Telemetry"]),
        // a loopback server that speaks both upstream wire formats, with fault switches.
        .target(name: "MockUpstream", dependencies: ["HTTPServer", "HTTPWire", "Telemetry"]),
        // OpenTelemetry traces: span model, W3C traceparent, OTLP/HTTP encodings, batching exporter, GenAI run spans.
        .target(name: "Tracing", dependencies: ["HTTPClient", "HTTPWire", "JSONText", "Telemetry"]),
        // routes, configuration, query orchestration.
        .target(name: "ThreadMeterApp", dependencies: [
            "ByteAppending", "EventLoops", "HTTPClient", "HTTPServer", "HTTPWire", "JSONText", "Telemetry", "Metering", "SQLiteLedger", "PostgresStore", "Tracing", "Upstream",
        ]),
        .executableTarget(name: "threadmeter", dependencies: ["ThreadMeterApp"]),
        .executableTarget(
            name: "threadmeter-load",
            dependencies: ["CEpoll", "HTTPWire", "JSONText", "Telemetry"],
            path: "LoadTests/Harness"
        ),
        // runs the mock upstream on a port for manual and load use; --direct-bench measures it alone.
        .executableTarget(
            name: "mock-upstream",
            dependencies: ["MockUpstream", "Upstream", "Telemetry"],
            path: "LoadTests/MockUpstreamMain"
        ),
        // the HTTP server alone answering GET /health, for wrk measurements.
        .executableTarget(
            name: "http-bench-server",
            dependencies: ["HTTPServer", "HTTPWire", "Telemetry"],
            path: "LoadTests/HTTPBench"
        ),
        // what Dispatch's event delivery costs: three server designs side by side (LoadTests/wake-bench.sh).
        .executableTarget(name: "wake-bench", dependencies: ["CEpoll", "EventLoops"], path: "LoadTests/WakeBench"),
        // benchmarks of the usage ledger (group commit) and the thread registry (memory, eviction pauses).
        .executableTarget(name: "ledger-bench", dependencies: ["SQLiteLedger", "Metering", "Telemetry"], path: "LoadTests/LedgerBench"),
        .executableTarget(name: "registry-bench", dependencies: ["Metering"], path: "LoadTests/RegistryBench"),
        // epoll(7) for the event loops and the load harness (Glibc does not export it).
        .systemLibrary(name: "CEpoll"),

        .target(name: "TestSupport", dependencies: ["COpenSSL", "HTTPWire", "HTTPServer", "Telemetry"], path: "Tests/TestSupport"),
        .testTarget(name: "HTTPWireTests", dependencies: ["HTTPWire", "TestSupport"]),
        .testTarget(name: "EventLoopsTests", dependencies: ["EventLoops"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "EventLoops", "HTTPWire", "TestSupport"]),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "HTTPWire", "TestSupport"]),
        .testTarget(name: "TelemetryTests", dependencies: ["Telemetry", "TestSupport", "ThreadMeterApp"]),
        .testTarget(name: "TracingTests", dependencies: ["Tracing", "Telemetry", "TestSupport", "HTTPServer", "HTTPWire"]),
        .testTarget(name: "MeteringTests", dependencies: ["Metering", "Telemetry", "TestSupport"]),
        .testTarget(name: "SQLiteLedgerTests", dependencies: ["SQLiteLedger", "Metering", "Telemetry", "TestSupport"]),
        .testTarget(name: "PostgresStoreTests", dependencies: ["PostgresStore", "Metering", "Telemetry", "TestSupport"]),
        .testTarget(name: "UpstreamTests", dependencies: ["Upstream", "MockUpstream", "Metering", "HTTPWire", "JSONText", "TestSupport"]),
        .testTarget(name: "LoadHarnessTests", dependencies: ["threadmeter-load", "JSONText"]),
        .testTarget(name: "HostileTrafficTests", dependencies: [
            "HTTPServer", "HTTPWire", "Telemetry", "TestSupport", "ThreadMeterApp", "Upstream", "Metering", "JSONText",
        ]),
        .testTarget(name: "ThreadMeterAppTests", dependencies: [
            "ThreadMeterApp", "MockUpstream", "Upstream", "Metering", "SQLiteLedger", "TestSupport", "HTTPWire", "JSONText", "Tracing",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
