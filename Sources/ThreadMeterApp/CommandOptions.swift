// The `--name value` / `--name=value` arguments of a subcommand (`usage`, `migrate`).
import Foundation

/// A subcommand's arguments as name–value pairs in order, or its exit status when parsing already
/// finished it (`--help` printed, or a usage error reported: one line on stderr, status 2).
enum CommandOptions {
    case pairs([(name: String, value: String)])
    case exit(Int32)

    static func parse(_ arguments: [String], command: String, help: String) -> CommandOptions {
        var pairs: [(name: String, value: String)] = []
        var index = 0
        while index < arguments.count {
            var name = arguments[index]
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if name == "--help" || name == "-h" {
                print(help)
                return .exit(0)
            }
            if value == nil {
                index += 1
                guard index < arguments.count else { return .exit(fail(command, "\(name) needs a value")) }
                value = arguments[index]
            }
            pairs.append((name, value!))
            index += 1
        }
        return .pairs(pairs)
    }

    /// Reports a usage error of `command`; returns exit status 2.
    static func fail(_ command: String, _ message: String) -> Int32 {
        FileHandle.standardError.write(Data("threadmeter \(command): \(message)\n".utf8))
        return 2
    }
}
