// The GET /health body written straight into bytes: it is polled often and must stay cheap.
import JSONText

/// The facts `/health` reports (contract §3), and their JSON text.
struct HealthBody {
    var healthy: Bool
    /// Unix time in milliseconds (the body carries seconds with up to three decimals).
    var timestampMillis: Int
    var activeThreads: Int
    var totalTokensTracked: Int
    var assistantIdSet: Bool
    var upstreamKind: String
    var storageBackend: String

    /// The same text `JSONValue` would write for this object, member for member.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(224)
        out.append(contentsOf: #"{"status":"#.utf8)
        out.append(contentsOf: (healthy ? #""healthy""# : #""unhealthy""#).utf8)
        out.append(contentsOf: #","timestamp":"#.utf8)
        DecimalBytes.append(shortestFixed: timestampMillis, places: 3, to: &out)
        out.append(contentsOf: #","token_tracking":{"active_threads":"#.utf8)
        DecimalBytes.append(activeThreads, to: &out)
        out.append(contentsOf: #","total_tokens_tracked":"#.utf8)
        DecimalBytes.append(totalTokensTracked, to: &out)
        out.append(contentsOf: #"},"assistant_id":"#.utf8)
        out.append(contentsOf: (assistantIdSet ? "true" : "false").utf8)
        out.append(contentsOf: #","upstream":"#.utf8)
        Self.appendQuoted(upstreamKind, to: &out)
        out.append(contentsOf: #","storage":"#.utf8)
        out.append(contentsOf: (healthy ? #""ok""# : #""error""#).utf8)
        out.append(contentsOf: #","storage_backend":"#.utf8)
        Self.appendQuoted(storageBackend, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        JSONValue.quote(text, into: &out)
    }
}
