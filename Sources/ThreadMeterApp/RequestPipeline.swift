// Every request's way through the service: route → access log → auth → draining → handler → CORS headers.
import HTTPServer
import HTTPWire
import Telemetry

/// Routes one request and applies what every route shares: the access-log line and request metric
/// (closed when the response ends), the route's auth policy, and the refusal of new work while
/// draining. Handlers see only their own concern.
struct RequestPipeline: Sendable {
    let routes: RouteTable
    let access: AccessControl
    /// `CORS_ORIGINS`: CORS headers on every `/v1/...` answer (preflights included); nil: none.
    let cors: CORSPolicy?
    let isDraining: @Sendable () -> Bool
    let logger: Logger
    let metrics: ServiceMetrics

    func handle(_ request: HTTPRequest, _ context: RequestContext) async -> HTTPResponse {
        // The raw (still percent-encoded) path: routing never splits on `%2F`, and a decoded path
        // could carry CR/LF into the log line.
        let rawPath = request.target.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(request.target[..<$0]) } ?? request.target
        let resolution = routes.resolve(method: request.method, rawPath: rawPath)
        let label: String
        if case .route(let route, _) = resolution { label = route.pattern.description } else { label = "unmatched" }
        let log = AccessLogLine(method: request.method, path: rawPath, route: label, requestId: context.requestId,
                                logger: logger, metrics: metrics)
        var response = await respond(request, context, resolution, log)
        if let cors, rawPath == "/v1" || rawPath.hasPrefix("/v1/") {
            let origin = request.headers["Origin"]
            let headers = request.method == "OPTIONS" ? cors.preflightHeaders(origin: origin) : cors.responseHeaders(origin: origin)
            for header in headers { response.headers.add(name: header.name, value: header.value) }
        }
        return log.closing(response)
    }

    private func respond(_ request: HTTPRequest, _ context: RequestContext, _ resolution: RouteTable.Resolution,
                         _ log: AccessLogLine) async -> HTTPResponse {
        let remoteAddress = context.remoteAddress
        switch resolution {
        case .notFound(let policy):
            if let refusal = access.refusal(policy, headers: request.headers, peer: IPAddress(peer: remoteAddress)) { return refusal.response }
            return APIError.notFound("no route for \(request.method) \(request.path)").response
        case .methodNotAllowed(let allowed):
            return APIError.methodNotAllowed(allowed).response
        case .route(let route, let parameters):
            // The drop-in OpenAI routes answer their refusals in the OpenAI error shape (contract §8).
            let openAIShape = route.auth == .clientKeyRequired
            if let refusal = access.refusal(route.auth, headers: request.headers, peer: IPAddress(peer: remoteAddress)) {
                return openAIShape ? refusal.openAIResponse : refusal.response
            }
            if route.refusedWhileDraining && isDraining() {
                return openAIShape ? APIError.shuttingDown.openAIResponse : APIError.shuttingDown.response
            }
            return await route.handler(RouteRequest(http: request, context: context, parameters: parameters, log: log))
        }
    }
}
