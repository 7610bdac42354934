// A network namespace joined to the test's own by a veth pair: a client with a non-loopback address.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A throwaway network namespace and a veth pair carrying a /30 in 10.200.0.0/16: the host end
/// (`hostAddress`, where a server under test binds) stays in this namespace, the other end
/// (`clientAddress`) moves into the new one, where `run` executes commands. Never touches a real
/// interface. Needs root (CAP_NET_ADMIN) and `ip`; `make()` says why when it cannot. Every command
/// runs off the cooperative pool (see `offCooperativePool`).
public final class VethNamespace: Sendable {
    public let name: String
    public let hostAddress: String
    public let clientAddress: String
    private let hostInterface: String
    private let ip: String

    /// Why a namespace could not be made (not root, no `ip`, creation refused).
    public struct Unavailable: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    private init(name: String, hostInterface: String, hostAddress: String, clientAddress: String, ip: String) {
        self.name = name
        self.hostInterface = hostInterface
        self.hostAddress = hostAddress
        self.clientAddress = clientAddress
        self.ip = ip
    }

    /// Creates the namespace and the pair on a random free /30 (three tries).
    public static func make() async throws -> VethNamespace {
        try await offCooperativePool { try makeBlocking() }
    }

    private static func makeBlocking() throws(Unavailable) -> VethNamespace {
        guard getuid() == 0 else { throw Unavailable(description: "network namespaces need root") }
        guard let ip = executable("ip") else { throw Unavailable(description: "no `ip` command") }
        var lastError = ""
        for _ in 0..<3 {
            let tag = String(UInt32.random(in: 0...0xFF_FFFF), radix: 16)
            let block = Int.random(in: 0...63) * 4
            let subnet = "10.200.\(Int.random(in: 0...255))."
            let namespace = VethNamespace(name: "tm-test-\(tag)", hostInterface: "tmh\(tag)",
                                          hostAddress: subnet + String(block + 1), clientAddress: subnet + String(block + 2), ip: ip)
            let client = "tmc\(tag)"
            let steps: [[String]] = [
                ["netns", "add", namespace.name],
                ["link", "add", namespace.hostInterface, "type", "veth", "peer", "name", client],
                ["link", "set", client, "netns", namespace.name],
                ["addr", "add", namespace.hostAddress + "/30", "dev", namespace.hostInterface],
                ["link", "set", namespace.hostInterface, "up"],
                ["netns", "exec", namespace.name, ip, "addr", "add", namespace.clientAddress + "/30", "dev", client],
                ["netns", "exec", namespace.name, ip, "link", "set", client, "up"],
                ["netns", "exec", namespace.name, ip, "link", "set", "lo", "up"],
            ]
            var failed = false
            for step in steps {
                guard let result = try? ChildProcess.run(ip, step), result.status == 0 else {
                    lastError = "ip \(step.joined(separator: " ")) failed"
                    failed = true
                    break
                }
            }
            if !failed { return namespace }
            namespace.removeBlocking()
        }
        throw Unavailable(description: "cannot create a network namespace: \(lastError)")
    }

    /// Runs `tool` (a name looked up in the system directories, or a path) inside the namespace.
    public func run(_ tool: String, _ arguments: [String]) async throws -> ChildResult {
        let command = ["netns", "exec", name, VethNamespace.executable(tool) ?? tool] + arguments
        let ip = self.ip
        return try await offCooperativePool { try ChildProcess.run(ip, command) }
    }

    /// Deletes the pair and the namespace (either may already be gone).
    public func remove() async {
        _ = try? await offCooperativePool { [self] in removeBlocking() }
    }

    private func removeBlocking() {
        _ = try? ChildProcess.run(ip, ["link", "del", hostInterface])
        _ = try? ChildProcess.run(ip, ["netns", "del", name])
    }

    /// The full path of `name` in the usual system directories, or nil.
    public static func executable(_ name: String) -> String? {
        if name.hasPrefix("/") { return access(name, X_OK) == 0 ? name : nil }
        for directory in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin"] where access("\(directory)/\(name)", X_OK) == 0 {
            return "\(directory)/\(name)"
        }
        return nil
    }
}
