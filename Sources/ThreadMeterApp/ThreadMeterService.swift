// The service: wires configuration, upstream, meter, metrics and the HTTP server; owns the lifecycle.
import Foundation
import HTTPServer
import HTTPWire
import Metering
import SQLiteLedger
import Synchronization
import Telemetry
import Upstream

/// ThreadMeter, assembled. `start()` → serve → `shutdown()`.
public final class ThreadMeterService: Sendable {
    public let configuration: ServiceConfiguration
    public let meter: UsageMeter
    public let metrics: ServiceMetrics
    let logger: Logger
    let upstream: any AssistantUpstream
    let queryHandler: QueryHandler
    let operators: OperatorHandlers
    let adminAuth: BearerAuth
    let clientAuth: BearerAuth
    let usageEvents: UsageEventShipper?
    private let server = Mutex<HTTPServer?>(nil)
    private let draining = Atomic<Bool>(false)
    private let evictionTask = Mutex<Task<Void, Never>?>(nil)
    private let requestCounter = Atomic<UInt64>(0)

    /// Assembles the service from its parts (tests inject the upstream, ledger and clock).
    public init(configuration: ServiceConfiguration, upstream: any AssistantUpstream, ledger: any UsageLedger,
                pricing: PricingTable = .builtIn, clock: any MeteringClock = SystemClock(), logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.upstream = upstream
        let metrics = ServiceMetrics()
        self.metrics = metrics
        meter = UsageMeter(maxAgeSeconds: configuration.threadMaxAgeSeconds, ledger: ledger, pricing: pricing, clock: clock,
                           logger: logger.labelled("meter"))
        if let url = configuration.usageWebhookURL.flatMap(URL.init(string:)) {
            usageEvents = UsageEventShipper(configuration: .init(url: url, token: configuration.usageWebhookToken),
                                            logger: logger.labelled("usage-webhook"),
                                            onDrop: { metrics.recordUsageEventsDropped($0) })
        } else {
            usageEvents = nil
        }
        queryHandler = QueryHandler(upstream: upstream, meter: meter, metrics: metrics, agentName: configuration.agentName,
                                    keepAliveSeconds: configuration.sseKeepAliveSeconds, instructions: configuration.instructions,
                                    logger: logger.labelled("query"), usageEvents: usageEvents)
        operators = OperatorHandlers(meter: meter, upstream: upstream, metrics: metrics,
                                     assistantIdSet: configuration.assistantId != nil && configuration.effectiveUpstreamAPI == "assistants")
        adminAuth = BearerAuth(tokens: configuration.adminToken.map { [$0] } ?? [])
        clientAuth = BearerAuth(tokens: configuration.apiKeys)
    }

    /// The production assembly: SQLite ledger at `DATABASE_PATH`, pricing file, upstream from the configuration.
    public static func make(configuration: ServiceConfiguration, logger: Logger) throws -> ThreadMeterService {
        let ledger: any UsageLedger = configuration.databasePath == ":memory:"
            ? InMemoryLedger()
            : try SQLiteLedger(path: configuration.databasePath, logger: logger.labelled("ledger"))
        var pricing = PricingTable.builtIn
        if let file = configuration.pricingFile {
            pricing = try PricingTable.loading(fileAt: file, over: pricing)
        }
        let upstream = makeUpstream(configuration.upstreamConfiguration, logger: logger.labelled("upstream"))
        return ThreadMeterService(configuration: configuration, upstream: upstream, ledger: ledger, pricing: pricing, logger: logger)
    }

    /// Recovers the registry from the ledger, starts listening and the eviction timer. Returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        try await meter.recover()
        let totals = await meter.totals()
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
            ("upstream", upstream.kind), ("api", upstream.kind == "simulated" ? "simulated" : configuration.effectiveUpstreamAPI),
            ("threads_recovered", String(totals.threads)), ("database", configuration.databasePath),
        ])
        return server.port
    }

    /// The bound port (after `start`).
    public var port: Int { server.withLock { $0?.port ?? 0 } }

    /// Stops accepting queries (503), lets running streams finish up to the grace period, then closes.
    public func shutdown() async {
        guard !draining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        logger.info("shutting down", [("grace_seconds", String(configuration.shutdownGraceSeconds))])
        evictionTask.withLock { $0?.cancel() }
        let server = self.server.withLock { $0 }
        await server?.shutdownGracefully(deadline: .milliseconds(Int(configuration.shutdownGraceSeconds * 1000)))
        if let usageEvents, !(await usageEvents.drain(timeout: .seconds(5))) {
            logger.warning("usage events still queued at exit", [("pending", String(usageEvents.pendingCount))])
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
        metrics.setActiveThreads(await meter.totals().threads)
        return evicted.count
    }

    private func startEvictionTimer() {
        let interval = configuration.evictionIntervalSeconds
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Int(interval * 1000)))
                if Task.isCancelled { break }
                await self.evictIdleThreads()
            }
        }
        evictionTask.withLock { $0 = task }
    }

    /// Routes one request.
    func handle(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        let path = request.path
        let resolution = Router.resolve(method: request.method, path: path)
        let routeLabel: String
        if case .route(let route) = resolution { routeLabel = route.template } else { routeLabel = "unmatched" }
        // The raw (still percent-encoded) path: a decoded one could carry CR/LF into the log line.
        let rawPath = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let log = AccessLogLine(method: request.method, path: rawPath, route: routeLabel, requestId: context.requestId,
                                logger: logger.labelled("access"), metrics: metrics)
        let response = await respond(request, context: context, resolution: resolution, log: log)
        log.set(status: response.status)
        if case .bytes = response.body { log.finish() }
        return response
    }

    private func respond(_ request: HTTPRequest, context: RequestContext, resolution: RouteResolution, log: AccessLogLine) async -> HTTPResponse {
        switch resolution {
        case .notFound:
            return APIError.notFound("no route for \(request.method) \(request.path)").response
        case .methodNotAllowed(let allowed):
            return APIError.methodNotAllowed(allowed).response
        case .route(let route):
            switch route {
            case .query:
                guard clientAuth.allows(request.headers) else { return APIError.unauthorized.response }
                guard !draining.load(ordering: .relaxed) else { return APIError.shuttingDown.response }
                return await queryHandler.handle(request, context: context, log: log)
            case .health:
                return await operators.health()
            case .dashboard:
                return operators.dashboard()
            case .stats, .statsThread, .statsUsage, .metrics:
                guard adminAuth.allows(request.headers) else { return APIError.unauthorized.response }
                switch route {
                case .stats: return await operators.stats(request)
                case .statsThread(let id): return await operators.thread(id)
                case .statsUsage: return await operators.usage(request)
                default: return await operators.renderMetrics()
                }
            }
        }
    }
}

extension ServiceConfiguration {
    /// The upstream settings; nil without an API key (the simulated assistant answers).
    var upstreamConfiguration: UpstreamConfiguration {
        let api: UpstreamConfiguration.API = effectiveUpstreamAPI == "assistants" ? .assistants : .responses
        var upstream = UpstreamConfiguration(apiKey: openAIAPIKey, baseURL: URL(string: openAIBaseURL) ?? UpstreamConfiguration.defaultBaseURL,
                                             api: api, assistantId: assistantId, model: openAIModel, instructions: instructions)
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
