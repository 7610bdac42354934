// The OpenAI error shape, shared by every upstream protocol's error answers and error events.

/// An error body (`{"error":{…}}`) or an `error` stream event (`{"message":…}` or `{"error":{…}}`).
struct UpstreamErrorBody {
    struct Detail {
        var message: String?
        var type: String?
        var code: String?
        var param: String?
    }

    var error: Detail?
    var message: String?
    var code: String?

    /// The most specific message given.
    var text: String {
        error?.message ?? message ?? error?.code ?? code ?? "no message"
    }
}
