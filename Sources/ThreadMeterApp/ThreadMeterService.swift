// The service: wires configuration, upstream, meter, metrics and the HTTP server; owns the lifecycle.
import Foundation
import HTTPServer
import HTTPWire
import Metering
import PostgresStore
import SQLiteLedger
import Synchronization
import Telemetry
import Tracing
import Upstream

/// ThreadMeter, assembled. `start()` → serve → `shutdown()`.
public final class ThreadMeterService: Sendable {
    public let configuration: ServiceConfiguration
    public let meter: UsageMeter
    public let metrics: ServiceMetrics
    let logger: Logger
    let upstream: any RunProvider
    let pipeline: RequestPipeline
    /// Budget enforcement (§9): every route that starts a run calls `admit` before the upstream.
    public let budgets: BudgetGate
    let usageEvents: UsageEventShipper?
    /// OTLP span export; nil without an OTLP endpoint.
    let spanExporter: SpanExporter?
    private let server = Mutex<HTTPServer?>(nil)
    let draining = DrainingFlag()
    /// Set once shutdown finished: background work (the drop-in run watchers) ends.
    private let stopped = DrainingFlag()
    /// Follows drop-in runs to their end; resumes the recorded ones at `start` (nil without an upstream key).
    let dropInWatcher: RunWatcher?
    private let evictionTask = Mutex<Task<Void, Never>?>(nil)
    /// What the eviction timer and the keep-alive schedule sleep on.
    private let timerClock: any Clock<Duration>

    /// Assembles the service from its parts with a local store over `ledger` (tests inject the
    /// upstream, ledger, clock, timer clock and OTLP transport).
    public convenience init(configuration: ServiceConfiguration, upstream: any RunProvider, ledger: any UsageLedger,
                            pricing: PricingTable = .builtIn, clock: any MeteringClock = SystemClock(), logger: Logger,
                            otlpTransport: (any OTLPTransport)? = nil, timerClock: any Clock<Duration> = ContinuousClock()) {
        let meter = UsageMeter(maxAgeSeconds: configuration.threadMaxAgeSeconds, ledger: ledger, pricing: pricing, clock: clock,
                               logger: logger.labelled("meter"), timerClock: timerClock)
        self.init(configuration: configuration, upstream: upstream, meter: meter, logger: logger, otlpTransport: otlpTransport,
                  timerClock: timerClock)
    }

    /// Assembles the service around a meter (over any usage store).
    /// - Parameter timerClock: what the eviction timer and the keep-alive schedule sleep on (tests
    ///   pass a clock they advance).
    public init(configuration: ServiceConfiguration, upstream: any RunProvider, meter: UsageMeter, logger: Logger,
                otlpTransport: (any OTLPTransport)? = nil, timerClock: any Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        self.timerClock = timerClock
        self.logger = logger
        self.upstream = upstream
        let metrics = ServiceMetrics()
        self.metrics = metrics
        self.meter = meter
        if let url = configuration.usageWebhookURL.flatMap(URL.init(string:)) {
            let webhook = UsageEventShipper.Configuration(url: url, token: configuration.usageWebhookToken)
            usageEvents = UsageEventShipper(configuration: webhook,
                                            transport: HTTPClientUsageWebhookTransport(requestTimeout: webhook.requestTimeout,
                                                                                       caFile: configuration.upstreamCAFile),
                                            logger: logger.labelled("usage-webhook"),
                                            onDrop: { metrics.recordUsageEventsDropped($0) })
        } else {
            usageEvents = nil
        }
        if let tracing = configuration.tracing {
            metrics.exposeSpanDropReasons(SpanExporter.dropReasons)
            spanExporter = SpanExporter(
                configuration: tracing,
                transport: otlpTransport ?? HTTPClientOTLPTransport(requestTimeout: tracing.requestTimeout, caFile: configuration.upstreamCAFile),
                logger: logger, onDrop: { metrics.recordSpansDropped($0, reason: $1) })
        } else {
            spanExporter = nil
        }
        let tracer = spanExporter.map {
            RunTracer(exporter: $0, api: configuration.effectiveUpstreamAPI == .responses ? .responses : .assistants,
                      requestModel: configuration.openAIModel)
        }
        let queryLogger = logger.labelled("query")
        let budgets = BudgetGate(book: meter.budgets, metrics: metrics, usageEvents: usageEvents, logger: logger.labelled("budgets"))
        self.budgets = budgets
        let query = QueryHandler(
            upstream: upstream, settler: RunSettler(meter: meter, logger: queryLogger),
            reporter: RunReporter(metrics: metrics, usageEvents: usageEvents, tracer: tracer, logger: queryLogger),
            budgets: budgets,
            metrics: metrics, agentName: configuration.agentName,
            keepAlive: KeepAlivePolicy(seconds: configuration.sseKeepAliveSeconds, clock: timerClock),
            instructions: configuration.instructions)
        let dropInLogger = logger.labelled("drop-in")
        let dropInSettler = RunSettler(meter: meter, logger: dropInLogger)
        let dropInUpstream = configuration.openAIAPIKey.flatMap { $0.isEmpty ? nil : $0 }.map { _ in
            DropInUpstream(configuration: configuration.upstreamConfiguration, logger: logger.labelled("drop-in-upstream"),
                           sharingRateLimitsWith: upstream)
        }
        let stopped = self.stopped
        let dropIn = DropInHandler(
            upstream: dropInUpstream,
            accounting: DropInAccounting(
                settler: dropInSettler,
                reporter: RunReporter(metrics: metrics, usageEvents: usageEvents, tracer: tracer, logger: dropInLogger),
                claims: RunClaims(meter: meter),
                budgets: budgets),
            admission: { run in
                // Budgets (contract §9) before anything is forwarded, as on /v1/query.
                do throws(BudgetRefusal) {
                    return .success(try await budgets.admit(threadId: run.threadId, account: run.account, requestId: nil))
                } catch {
                    return .failure(error.apiError)
                }
            },
            watches: meter.store,
            keepAlive: KeepAlivePolicy(seconds: configuration.sseKeepAliveSeconds, clock: timerClock),
            isStopped: { stopped.isSet },
            logger: dropInLogger)
        dropInWatcher = dropIn.watcher
        let operators = OperatorHandlers(meter: meter, upstream: upstream, metrics: metrics,
                                         assistantIdSet: configuration.assistantId != nil && configuration.effectiveUpstreamAPI == .assistants)
        let draining = self.draining
        pipeline = RequestPipeline(
            routes: Self.routeTable(query: query, dropIn: dropIn, operators: operators,
                                    budgetAdmin: BudgetAdminHandlers(book: meter.budgets, store: meter.store)),
            access: AccessControl(adminToken: configuration.adminToken, apiKeys: configuration.apiKeys),
            cors: configuration.cors,
            isDraining: { draining.isSet },
            logger: logger.labelled("access"), metrics: metrics)
    }

    /// The production assembly: the usage store (PostgreSQL at `DATABASE_URL`, else SQLite at
    /// `DATABASE_PATH`), pricing file, upstream from the configuration.
    /// - Throws: a one-line reason (exit status 2): unusable database file, malformed pricing file,
    ///   PostgreSQL unreachable for `DATABASE_CONNECT_TIMEOUT_SECONDS`, a newer schema.
    public static func make(configuration: ServiceConfiguration, logger: Logger) async throws -> ThreadMeterService {
        var pricing = PricingTable.builtIn
        if let file = configuration.pricingFile {
            pricing = try PricingTable.loading(fileAt: file, over: pricing)
        }
        let store = try await makeStore(configuration, logger: logger)
        let meter = UsageMeter(store: store, pricing: pricing, logger: logger.labelled("meter"))
        let upstream = makeUpstream(configuration.upstreamConfiguration, logger: logger.labelled("upstream"))
        return ThreadMeterService(configuration: configuration, upstream: upstream, meter: meter, logger: logger)
    }

    /// The usage store the configuration selects.
    static func makeStore(_ configuration: ServiceConfiguration, logger: Logger) async throws -> any UsageStore {
        guard let text = configuration.databaseURL else {
            let ledger: any UsageLedger = configuration.databasePath == ":memory:"
                ? InMemoryLedger()
                : try SQLiteLedger(path: configuration.databasePath, logger: logger.labelled("ledger"))
            return LocalUsageStore(
                registry: ThreadRegistry(maxAgeSeconds: configuration.threadMaxAgeSeconds, clock: SystemClock()),
                ledger: ledger, logger: logger.labelled("meter"))
        }
        let url = try PostgresURL(text)
        // The spool first: a second replica on the same file is refused before touching the database.
        let spool = try RunSpool(path: configuration.pendingRunsPath)
        var options = PostgresUsageStore.Options()
        options.replicaName = configuration.replicaName ?? "\(PostgresUsageStore.hostName):\(configuration.port)"
        let store = try await PostgresUsageStore.open(
            url: url, options: options, logger: logger.labelled("postgres"),
            connectTimeout: .milliseconds(Int(configuration.databaseConnectTimeoutSeconds * 1000)))
        return PostgresMeteringBackend(store: store, spool: spool, maxAgeSeconds: configuration.threadMaxAgeSeconds,
                                       logger: logger.labelled("meter"))
    }

    /// Recovers the registry from the ledger, starts listening and the eviction timer. Returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        try await meter.recover()
        // Drop-in runs watched when the service last stopped (or crashed) are followed to their end.
        let resumed = await dropInWatcher?.resume() ?? 0
        let totals = try await meter.totals()
        metrics.setActiveThreads(totals.threads)
        var http = HTTPServerConfiguration()
        http.host = configuration.host
        http.port = configuration.port
        http.maxBodyBytes = configuration.maxBodyBytes
        let server = HTTPServer(configuration: http, logger: logger.labelled("http")) { [self] request, context in
            await self.handle(request, context)
        }
        try server.start()
        self.server.withLock { $0 = server }
        startEvictionTimer()
        logger.info("listening on http://\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(server.port)", [
            ("upstream", upstream.kind), ("api", upstream.kind == "simulated" ? "simulated" : configuration.effectiveUpstreamAPI.rawValue),
            ("threads_recovered", String(totals.threads)), ("watched_runs_resumed", String(resumed)), ("storage_backend", meter.backendName),
            ("database", configuration.databaseURL.flatMap { try? PostgresURL($0).description } ?? configuration.databasePath),
        ])
        warnIfExposed()
        return server.port
    }

    /// Protected by default (contract §3): one warning per open door when listening beyond loopback.
    private func warnIfExposed() {
        guard IPAddress(literal: configuration.host)?.isLoopback != true else { return }
        if configuration.adminToken == nil {
            logger.warning("listening on a non-loopback address without ADMIN_TOKEN: /stats, /metrics and /admin answer loopback clients only; set ADMIN_TOKEN to reach them remotely", [("host", configuration.host)])
        }
        if configuration.apiKeys.isEmpty {
            logger.warning("listening on a non-loopback address without API_KEYS: anyone who can reach it may run queries; set API_KEYS", [("host", configuration.host)])
        }
    }

    /// The bound port (after `start`).
    public var port: Int { server.withLock { $0?.port ?? 0 } }

    /// Stops accepting queries (503), lets running streams finish up to the grace period, then closes.
    public func shutdown() async {
        guard draining.set() else { return }
        logger.info("shutting down", [("grace_seconds", String(configuration.shutdownGraceSeconds))])
        evictionTask.withLock { $0?.cancel() }
        let server = self.server.withLock { $0 }
        await server?.shutdownGracefully(deadline: .milliseconds(Int(configuration.shutdownGraceSeconds * 1000)))
        _ = stopped.set()
        if let usageEvents, !(await usageEvents.drain(timeout: .seconds(5))) {
            logger.warning("usage events still queued at exit", [("pending", String(usageEvents.pendingCount))])
        }
        if let spanExporter {
            await spanExporter.shutdown(flushTimeout: .seconds(5))
        }
        logger.info("stopped")
    }

    /// Re-reads `PRICING_FILE` (SIGHUP). A malformed file is rejected and the prices in force stay.
    public func reloadPricing() {
        guard let file = configuration.pricingFile else {
            logger.info("SIGHUP: no PRICING_FILE configured; built-in prices stay in force")
            return
        }
        do {
            meter.reloadPricing(try PricingTable.loading(fileAt: file, over: .builtIn))
            logger.info("pricing reloaded", [("file", file)])
        } catch {
            logger.error("pricing file rejected; the prices in force stay in force", [("file", file), ("error", "\(error)")])
        }
    }

    /// Runs one eviction sweep now (the timer calls this).
    @discardableResult
    public func evictIdleThreads() async -> Int {
        let evicted = await meter.evictIdle()
        if !evicted.isEmpty {
            metrics.addEvictions(evicted.count)
            logger.info("evicted idle threads", [("count", String(evicted.count))])
        }
        if let totals = try? await meter.totals() { metrics.setActiveThreads(totals.threads) }
        return evicted.count
    }

    private func startEvictionTimer() {
        let interval = configuration.evictionIntervalSeconds
        let clock = timerClock
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await clock.sleep(for: .milliseconds(Int(interval * 1000)))
                if Task.isCancelled { break }
                await self.evictIdleThreads()
            }
        }
        evictionTask.withLock { $0 = task }
    }

    /// Answers one request (the HTTP server's handler).
    func handle(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        await pipeline.handle(request, context)
    }
}

extension ServiceConfiguration {
    /// The upstream settings; nil without an API key (the simulated assistant answers).
    var upstreamConfiguration: UpstreamConfiguration {
        var upstream = UpstreamConfiguration(apiKey: openAIAPIKey, baseURL: URL(string: openAIBaseURL) ?? UpstreamConfiguration.defaultBaseURL,
                                             api: effectiveUpstreamAPI, assistantId: assistantId, model: openAIModel, instructions: instructions)
        upstream.connectTimeout = .milliseconds(Int(upstreamConnectTimeout * 1000))
        upstream.firstByteTimeout = .milliseconds(Int(upstreamFirstByteTimeout * 1000))
        upstream.idleTimeout = .milliseconds(Int(upstreamIdleTimeout * 1000))
        upstream.maxConnections = upstreamMaxConnections
        upstream.caFile = upstreamCAFile
        let delayMicros = Int(simulatedDelayMs * 1000)
        upstream.simulatedDelay = .microseconds(delayMicros * 2 / 3) ... .microseconds(delayMicros * 4 / 3)
        return upstream
    }
}
