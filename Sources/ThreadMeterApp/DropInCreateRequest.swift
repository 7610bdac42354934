// What the service reads from a run or response creation body it forwards unchanged.
import JSONText

/// The few members of a `POST …/runs`, `POST /threads/runs` or `POST /responses` body the
/// accounting needs. The body itself is forwarded as received; a body that is not a JSON object
/// is forwarded too (the upstream answers it) and counts as not streamed, without an account.
struct DropInCreateRequest: Sendable {
    /// `"stream": true`.
    var stream = false
    /// `metadata.account` when it is a string.
    var account: String?
    /// Responses: `conversation` (a bare id or `{"id": …}`).
    var conversation: String?

    init(body: [UInt8]) {
        guard let document = try? JSONReader.read(body), document.members != nil else { return }
        stream = document["stream"]?.boolValue ?? false
        account = document["metadata"]?["account"]?.stringValue
        conversation = document["conversation"]?.stringValue ?? document["conversation"]?["id"]?.stringValue
    }

    /// `metadata.account` of a run or response object the upstream returned.
    static func account(inObject body: [UInt8]) -> String? {
        (try? JSONReader.read(body))?["metadata"]?["account"]?.stringValue
    }
}
