// Token counts as the service reports them in `run_usage`, `token_usage` and `/stats`.
import JSONText

/// Input, output and total tokens.
struct UsageFigures: Sendable, Equatable, CustomStringConvertible {
    var input = 0
    var output = 0
    var total = 0

    static let zero = UsageFigures()

    static func + (a: UsageFigures, b: UsageFigures) -> UsageFigures {
        UsageFigures(input: a.input + b.input, output: a.output + b.output, total: a.total + b.total)
    }

    static func - (a: UsageFigures, b: UsageFigures) -> UsageFigures {
        UsageFigures(input: a.input - b.input, output: a.output - b.output, total: a.total - b.total)
    }

    static func += (a: inout UsageFigures, b: UsageFigures) { a = a + b }

    /// Reads `{"input_tokens":…,"output_tokens":…,"total_tokens":…}`; nil when a field is missing or not an integer.
    init?(json: JSONValue?) {
        guard let json, let input = json["input_tokens"]?.intValue, let output = json["output_tokens"]?.intValue,
              let total = json["total_tokens"]?.intValue else { return nil }
        self.init(input: input, output: output, total: total)
    }

    /// Reads an upstream usage object: Assistants (`prompt_tokens`, `completion_tokens`) or
    /// Responses (`input_tokens`, `output_tokens`).
    init?(upstreamJSON json: JSONValue?) {
        guard let json else { return nil }
        if let input = json["prompt_tokens"]?.intValue, let output = json["completion_tokens"]?.intValue {
            self.init(input: input, output: output, total: json["total_tokens"]?.intValue ?? input + output)
        } else if let usage = UsageFigures(json: json) {
            self = usage
        } else {
            return nil
        }
    }

    init(input: Int, output: Int, total: Int) {
        self.input = input
        self.output = output
        self.total = total
    }

    init() {}

    var isConsistent: Bool { total == input + output && input >= 0 && output >= 0 }

    var description: String { "in=\(input) out=\(output) total=\(total)" }

    var jsonText: String { "{\"input_tokens\":\(input),\"output_tokens\":\(output),\"total_tokens\":\(total)}" }
}
