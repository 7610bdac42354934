// Loading LiteLLM's model_prices_and_context_window.json over a pricing table.
import Foundation

extension PricingTable {
    /// Why a pricing file was rejected.
    public struct LoadError: Error, CustomStringConvertible, Equatable {
        public var path: String
        public var reason: String

        public var description: String { "pricing file \(path): \(reason)" }
    }

    /// Largest pricing file accepted (LiteLLM's is about 1.5 MB).
    public static let maxFileBytes = 64 << 20

    /// Reads a LiteLLM `model_prices_and_context_window.json` and returns `base` extended and
    /// overridden by its prices. Per-token USD prices come from `input_cost_per_token`,
    /// `output_cost_per_token` and `cache_read_input_token_cost`; entries with neither an input nor an
    /// output price (image models, `sample_spec`) are skipped. Throws `LoadError` with the reason for a
    /// missing, oversized or malformed file (not JSON, not an object of objects, a price that is not a
    /// non-negative number, no prices at all); `base` is then unchanged.
    public static func loading(fileAt path: String, over base: PricingTable) throws(LoadError) -> PricingTable {
        let data: Data
        do {
            let url = URL(fileURLWithPath: path)
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            if size > maxFileBytes {
                throw LoadError(path: path, reason: "file is \(size) bytes, more than the \(maxFileBytes) accepted")
            }
            data = try Data(contentsOf: url)
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError(path: path, reason: "cannot read it (\(Self.describe(error)))")
        }
        return try loading(json: data, over: base, path: path)
    }

    /// `loading(fileAt:over:)` for bytes already in memory; `path` names them in errors.
    public static func loading(json data: Data, over base: PricingTable, path: String = "<memory>") throws(LoadError) -> PricingTable {
        let models: [String: LiteLLMEntry]
        do {
            models = try JSONDecoder().decode([String: LiteLLMEntry].self, from: data)
        } catch let error as DecodingError {
            throw LoadError(path: path, reason: Self.explain(error))
        } catch {
            throw LoadError(path: path, reason: "cannot decode it (\(Self.describe(error)))")
        }
        var table = base
        var loaded = 0
        for (name, entry) in models where name != "sample_spec" {
            if entry.input == nil && entry.output == nil { continue }
            for (field, value) in [("input_cost_per_token", entry.input), ("output_cost_per_token", entry.output), ("cache_read_input_token_cost", entry.cachedInput)] {
                if let value, !(value.isFinite && value >= 0) {
                    throw LoadError(path: path, reason: "\"\(name)\".\(field) must be a non-negative number, found \(value)")
                }
            }
            table.setPrice(
                ModelPrice(
                    input: (entry.input ?? 0) * 1_000_000,
                    cachedInput: entry.cachedInput.map { $0 * 1_000_000 },
                    output: (entry.output ?? 0) * 1_000_000
                ),
                for: name
            )
            loaded += 1
        }
        if loaded == 0 {
            throw LoadError(path: path, reason: "no entry has input_cost_per_token or output_cost_per_token")
        }
        table.source = "\(base.source) + \(path) (\(loaded) models)"
        return table
    }

    /// The three price fields of one LiteLLM entry; every other field is ignored.
    private struct LiteLLMEntry: Decodable {
        var input: Double?
        var output: Double?
        var cachedInput: Double?

        private enum CodingKeys: String, CodingKey {
            case input = "input_cost_per_token"
            case output = "output_cost_per_token"
            case cachedInput = "cache_read_input_token_cost"
        }
    }

    /// A one-line reason naming where in the file decoding failed.
    private static func explain(_ error: DecodingError) -> String {
        func location(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { "\"\($0.stringValue)\"" }.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            let underlying = context.underlyingError.map { " (\(describe($0)))" } ?? ""
            return "not valid JSON\(underlying)"
        case .dataCorrupted(let context):
            return "\(location(context.codingPath)): \(context.debugDescription)"
        case .typeMismatch(let type, let context):
            if context.codingPath.isEmpty {
                return "the top level must be a JSON object mapping model names to their prices"
            }
            if context.codingPath.count == 1 {
                return "entry \(location(context.codingPath)) is not a JSON object"
            }
            return "\(location(context.codingPath)) must be \(type == Double.self ? "a number" : "\(type)"): \(context.debugDescription)"
        case .valueNotFound(_, let context), .keyNotFound(_, let context):
            return "\(location(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func describe(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}
