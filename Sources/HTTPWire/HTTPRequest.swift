// A complete HTTP/1.1 request as the server hands it to a handler.

/// A request whose head and (de-chunked) body have been fully read.
public struct HTTPRequest: Sendable {
    /// Method token as sent (`GET`, `POST`, …); methods are case-sensitive (RFC 9110 §9.1).
    public var method: String
    /// The request-target as sent (`/stats?limit=5`).
    public var target: String
    /// HTTP version, e.g. (1, 1).
    public var version: (major: Int, minor: Int)
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, target: String, version: (major: Int, minor: Int) = (1, 1), headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The path part of the target as sent, before `?`, still percent-encoded (route on this, so
    /// that `%2F` never splits a segment; log this, so that a decoded CR/LF never reaches a log line).
    public var rawPath: Substring {
        guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target[...] }
        return target[..<q]
    }

    /// The path part of the target, before `?`, percent-decoded.
    public var path: String {
        let raw = String(rawPath)
        return PercentDecoding.decode(raw) ?? raw
    }

    /// Query items in order, `+` as space, percent-decoded; `a` without `=` gives `("a", "")`.
    public var queryItems: [(name: String, value: String)] {
        guard let q = target.firstIndex(of: "?") else { return [] }
        let query = target[target.index(after: q)...]
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).replacingPlus()
            let value = parts.count > 1 ? String(parts[1]).replacingPlus() : ""
            return (PercentDecoding.decode(name) ?? name, PercentDecoding.decode(value) ?? value)
        }
    }

    /// The first query value of that name.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }
}

extension String {
    fileprivate func replacingPlus() -> String {
        String(self.map { $0 == "+" ? " " : $0 })
    }
}

/// RFC 3986 percent-decoding.
public enum PercentDecoding {
    /// Decodes `%XX` sequences; nil when a sequence is malformed or the result is not UTF-8.
    public static func decode(_ string: String) -> String? {
        guard string.utf8.contains(UInt8(ascii: "%")) else { return string }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf8.count)
        var it = string.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let hv = hexValue(h), let lv = hexValue(l) else { return nil }
                bytes.append(hv << 4 | lv)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
