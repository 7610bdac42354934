// Value equality for requests (tests compare what a parser or server produced).

extension HTTPRequest: Equatable {
    /// Equal when method, target, version, header fields (in order) and body are equal.
    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.version == rhs.version
            && lhs.headers == rhs.headers && lhs.body == rhs.body
    }
}
