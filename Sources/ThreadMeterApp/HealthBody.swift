// The GET /health body written straight into bytes: it is polled often and must stay cheap.
import ByteAppending
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
        out.append(literal: #"{"status":"#)
        out.append(literal: healthy ? #""healthy""# : #""unhealthy""#)
        out.append(literal: #","timestamp":"#)
        DecimalBytes.append(shortestFixed: timestampMillis, places: 3, to: &out)
        out.append(literal: #","token_tracking":{"active_threads":"#)
        DecimalBytes.append(activeThreads, to: &out)
        out.append(literal: #","total_tokens_tracked":"#)
        DecimalBytes.append(totalTokensTracked, to: &out)
        out.append(literal: #"},"assistant_id":"#)
        out.append(literal: assistantIdSet ? "true" : "false")
        out.append(literal: #","upstream":"#)
        Self.appendQuoted(upstreamKind, to: &out)
        out.append(literal: #","storage":"#)
        out.append(literal: healthy ? #""ok""# : #""error""#)
        out.append(literal: #","storage_backend":"#)
        Self.appendQuoted(storageBackend, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        JSONValue.quote(text, into: &out)
    }
}
