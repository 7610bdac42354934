// The in-process side of TestApp: a request handed to the service's handler, the response collected.
import Foundation
import HTTPServer
import HTTPWire
import Synchronization
@testable import ThreadMeterApp

/// Collects a streamed body as the server would have sent it, chunk by chunk.
final class CollectingBodyWriter: ResponseBodyWriter {
    private let chunks = Mutex<[[UInt8]]>([])

    func write(_ bytes: [UInt8]) async throws { chunks.withLock { $0.append(bytes) } }

    var body: [UInt8] { chunks.withLock { $0.flatMap { $0 } } }
}

extension TestApp {
    /// The peer every in-process request comes from (loopback, as the default admin policy expects).
    static let inProcessPeer = "127.0.0.1:50000"

    /// Runs one request through `ThreadMeterService.handle` and collects the whole response.
    func handleInProcess(_ method: String, _ path: String, headers: [String: String], body: Data?) async -> ClientResponse {
        var fields = HTTPHeaders()
        fields.add(name: "Host", value: "127.0.0.1")
        for (name, value) in headers { fields.add(name: name, value: value) }
        let request = HTTPRequest(method: method, target: path, headers: fields, body: body.map { Array($0) } ?? [])
        let context = RequestContext(remoteAddress: Self.inProcessPeer, requestId: "inproc-\(UInt32.random(in: 0 ... .max))")
        let response = await service.handle(request, context)
        let bytes: [UInt8]
        switch response.body {
        case .bytes(let whole):
            bytes = whole
        case .stream(let produce):
            let writer = CollectingBodyWriter()
            try? await produce(writer)
            bytes = writer.body
        }
        var collected: [String: String] = [:]
        for (name, value) in response.headers { collected[name] = value }
        return ClientResponse(status: response.status, headers: collected, body: Data(bytes))
    }
}
