// Host name lookups off the event loops, cached for a while.
import EventLoops
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves host names with `getaddrinfo` on a dedicated queue (it blocks), so no event loop waits
/// for DNS. Answers are cached for `ttl` (getaddrinfo reports no TTL); concurrent lookups of one name
/// share one call; IP literals are answered at once without a lookup.
final class DNSResolver: Sendable {
    typealias Completion = @Sendable (Result<[SocketAddress], HTTPClientError>) -> Void

    private struct Entry {
        var addresses: [SocketAddress]
        var expires: ContinuousClock.Instant
    }

    private struct State {
        var cache: [String: Entry] = [:]
        var pending: [String: [Completion]] = [:]
        var lookups = 0
    }

    let ttl: Duration
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "threadmeter.http-client.dns", attributes: .concurrent)

    init(ttl: Duration) {
        self.ttl = ttl
    }

    /// `getaddrinfo` calls made so far (cache hits and literals do not count).
    var lookupCount: Int { state.withLock { $0.lookups } }

    /// The cached or literal addresses of `host:port`, if known without a lookup.
    func cached(_ host: String, port: Int) -> [SocketAddress]? {
        if let literal = SocketAddress.literal(host, port: port) { return [literal] }
        let key = "\(host):\(port)"
        return state.withLock { state in
            guard let entry = state.cache[key], entry.expires > .now else { return nil }
            return entry.addresses
        }
    }

    /// Resolves `host:port`; `done` runs on the resolver's queue (or at once for a cached answer).
    func resolve(_ host: String, port: Int, _ done: @escaping Completion) {
        if let known = cached(host, port: port) {
            done(.success(known))
            return
        }
        let key = "\(host):\(port)"
        let first = state.withLock { state -> Bool in
            if state.pending[key] != nil {
                state.pending[key]!.append(done)
                return false
            }
            state.pending[key] = [done]
            state.lookups += 1
            return true
        }
        guard first else { return }
        queue.async {
            let result = Self.lookup(host, port: port)
            let waiting = self.state.withLock { state -> [Completion] in
                if case .success(let addresses) = result {
                    state.cache[key] = Entry(addresses: addresses, expires: .now + self.ttl)
                }
                return state.pending.removeValue(forKey: key) ?? []
            }
            for completion in waiting { completion(result) }
        }
    }

    /// A blocking `getaddrinfo` for TCP addresses of `host:port`.
    static func lookup(_ host: String, port: Int) -> Result<[SocketAddress], HTTPClientError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Socket.streamType
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == EAI_SYSTEM ? SystemError.text(errno) : String(cString: gai_strerror(status))
            return .failure(.connectionFailed("could not resolve \(host): \(reason)"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            guard let address = info.pointee.ai_addr else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen)))
            let resolved = SocketAddress(family: info.pointee.ai_family, bytes: bytes)
            if !addresses.contains(resolved) { addresses.append(resolved) }
        }
        guard !addresses.isEmpty else { return .failure(.connectionFailed("could not resolve \(host): no addresses")) }
        return .success(addresses)
    }
}
