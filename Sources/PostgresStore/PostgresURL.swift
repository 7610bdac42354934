// `DATABASE_URL` → libpq connection keywords, validated by libpq's own parser.
import CLibPQ
import Foundation

/// A PostgreSQL connection URL (`postgres://` or `postgresql://`) as libpq keywords.
///
/// `user:password@host:port/dbname` and every query parameter are handed to libpq, which knows
/// them all (`sslmode`, `connect_timeout`, `application_name`, `target_session_attrs`, several
/// `host`s, …); an unknown parameter or a malformed URL is refused here with libpq's reason, before
/// any connection attempt.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// The keywords libpq parsed out of the URL, in libpq's order (only those the URL set).
    public let parameters: [(keyword: String, value: String)]

    public static func == (lhs: PostgresURL, rhs: PostgresURL) -> Bool {
        lhs.parameters.elementsEqual(rhs.parameters) { $0.keyword == $1.keyword && $0.value == $1.value }
    }

    /// Whether `text` names the PostgreSQL store (its scheme), valid or not.
    public static func isPostgres(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// Parses `text`.
    /// - Throws: `PostgresError.invalidURL` with a one-line reason (the password never appears in it).
    public init(_ text: String) throws(PostgresError) {
        guard Self.isPostgres(text) else {
            throw PostgresError(.invalidURL, "DATABASE_URL must start with postgres:// or postgresql://")
        }
        let afterScheme = text[text.range(of: "://")!.upperBound...]
        if afterScheme.isEmpty || afterScheme.hasPrefix("?") && afterScheme.count == 1 {
            // libpq accepts an empty URL (all defaults); an operator who set DATABASE_URL meant a server.
            throw PostgresError(.invalidURL, "DATABASE_URL names no host or database")
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == " " }) {
            throw PostgresError(.invalidURL, "DATABASE_URL contains spaces or control characters (percent-encode them)")
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(.invalidURL, "invalid DATABASE_URL: \(Self.redact(reason.trimmingCharacters(in: .whitespacesAndNewlines), text))")
        }
        defer { PQconninfoFree(options) }
        var found: [(String, String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                found.append((String(cString: keyword), String(cString: value)))
            }
            option += 1
        }
        if let port = found.first(where: { $0.0 == "port" })?.1 {
            for part in port.split(separator: ",", omittingEmptySubsequences: false) {
                guard let number = Int(part), (1...65535).contains(number) else {
                    throw PostgresError(.invalidURL, "invalid DATABASE_URL: port \"\(part)\" is not a number from 1 to 65535")
                }
            }
        }
        parameters = found.map { (keyword: $0.0, value: $0.1) }
    }

    /// The value libpq will use for `keyword`, if the URL set it.
    public subscript(keyword: String) -> String? {
        parameters.first { $0.keyword == keyword }?.value
    }

    /// `host:port/dbname` for logs, without user or password.
    public var description: String {
        let host = self["host"] ?? self["hostaddr"] ?? "localhost"
        let port = self["port"] ?? "5432"
        return "postgres://\(host):\(port)/\(self["dbname"] ?? self["user"] ?? "")"
    }

    /// Keywords and values with overrides (later wins), for `PQconnectStartParams`.
    func keywordsAndValues(adding extra: [(String, String)]) -> [(String, String)] {
        var result = parameters.map { ($0.keyword, $0.value) }
        for (keyword, value) in extra {
            result.removeAll { $0.0 == keyword }
            result.append((keyword, value))
        }
        return result
    }

    private static func redact(_ message: String, _ url: String) -> String {
        // libpq quotes parts of the URL in its messages; keep the password out of logs.
        guard let at = url.lastIndex(of: "@"), let schemeEnd = url.range(of: "://")?.upperBound,
              let colon = url[schemeEnd..<at].firstIndex(of: ":") else { return message }
        let password = String(url[url.index(after: colon)..<at])
        guard !password.isEmpty else { return message }
        return message.replacingOccurrences(of: password, with: "***")
    }
}
