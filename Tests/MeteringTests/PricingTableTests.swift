import Foundation
import Testing
@testable import Metering

@Suite struct PricingTableTests {
    let table = PricingTable.builtIn

    @Test func contractExample_gpt4oMini_89in_67out_costs0_00005355() throws {
        let cost = try #require(table.cost(model: "gpt-4o-mini", usage: TokenUsage(inputTokens: 89, outputTokens: 67)))
        #expect(abs(cost - 0.00005355) < 1e-15)
    }

    @Test func datedSnapshot_isPricedLikeItsAlias() {
        let usage = TokenUsage(inputTokens: 1_000_000, outputTokens: 1_000_000)
        #expect(table.cost(model: "gpt-4o-mini-2024-07-18", usage: usage) == table.cost(model: "gpt-4o-mini", usage: usage))
        #expect(table.cost(model: "claude-sonnet-4-5-20250929", usage: usage) == 18.0)
        #expect(table.cost(model: "openai/gpt-4.1-2025-04-14", usage: usage) == 10.0)
        #expect(table.cost(model: "GPT-4o", usage: usage) == 12.5)
    }

    @Test func exactSnapshotEntry_winsOverItsAlias() {
        let usage = TokenUsage(inputTokens: 1_000_000, outputTokens: 0)
        #expect(table.cost(model: "gpt-4o-2024-05-13", usage: usage) == 5.0)
        #expect(table.cost(model: "gpt-4o-2024-08-06", usage: usage) == 2.5)
    }

    @Test func cachedInput_isChargedAtTheCachedPrice() throws {
        // gpt-4o-mini: 0.15 input, 0.075 cached, 0.60 output per 1M.
        let usage = TokenUsage(inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 400_000)
        let cost = try #require(table.cost(model: "gpt-4o-mini", usage: usage))
        #expect(abs(cost - (0.6 * 0.15 + 0.4 * 0.075)) < 1e-12)
    }

    @Test func cachedInput_withoutACachedPrice_costsTheInputPrice() throws {
        let price = ModelPrice(input: 2, cachedInput: nil, output: 4)
        #expect(price.cost(of: TokenUsage(inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 500_000)) == 2)
    }

    @Test func unknownOrMissingModel_hasNoCost() {
        let usage = TokenUsage(inputTokens: 10, outputTokens: 10)
        #expect(table.cost(model: "my-private-model", usage: usage) == nil)
        #expect(table.cost(model: nil, usage: usage) == nil)
        #expect(table.cost(model: "", usage: usage) == nil)
    }

    @Test func builtIn_coversTheThreeProviders_andStatesItsDate() {
        for model in ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3", "o4-mini", "gpt-5", "gpt-5-mini", "claude-sonnet-4-5", "claude-haiku-4-5", "gemini-2.5-pro", "gemini-2.5-flash"] {
            #expect(table.price(for: model) != nil, "\(model)")
        }
        #expect(table.pricesAsOf.count == 10)
        #expect(table.source.contains(table.pricesAsOf))
    }

    @Test func snapshotSuffixes_areRecognised() {
        #expect(PricingTable.withoutSnapshotSuffix("gpt-4o-mini-2024-07-18") == "gpt-4o-mini")
        #expect(PricingTable.withoutSnapshotSuffix("claude-3-5-haiku-20241022") == "claude-3-5-haiku")
        #expect(PricingTable.withoutSnapshotSuffix("claude-3-7-sonnet-latest") == "claude-3-7-sonnet")
        #expect(PricingTable.withoutSnapshotSuffix("gpt-4o") == nil)
        #expect(PricingTable.withoutSnapshotSuffix("o1-2024-12-17") == "o1")
        #expect(PricingTable.withoutSnapshotSuffix("model-2024-7-18") == nil)
    }

    // MARK: LiteLLM files

    static let liteLLMSample = """
    {
        "sample_spec": {"input_cost_per_token": 0.0, "output_cost_per_token": 0.0, "max_tokens": "LEGACY parameter"},
        "gpt-4o-mini": {"input_cost_per_token": 3e-07, "output_cost_per_token": 1.2e-06, "cache_read_input_token_cost": 1.5e-07,
                        "litellm_provider": "openai", "mode": "chat", "supports_vision": true},
        "acme-llm-1": {"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "litellm_provider": "acme"},
        "1024-x-1024/dall-e-2": {"input_cost_per_pixel": 1.9e-08, "output_cost_per_pixel": 0.0, "mode": "image_generation"}
    }
    """

    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("prices-\(UInt64.random(in: 0...UInt64.max)).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func liteLLMFile_overridesAndExtendsTheBuiltInTable() throws {
        let path = try write(Self.liteLLMSample)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let loaded = try PricingTable.loading(fileAt: path, over: table)
        let usage = TokenUsage(inputTokens: 1_000_000, outputTokens: 1_000_000, cachedInputTokens: 500_000)
        let mini = try #require(loaded.cost(model: "gpt-4o-mini-2024-07-18", usage: usage))
        #expect(abs(mini - (0.15 + 0.075 + 1.2)) < 1e-9)
        let acme = try #require(loaded.cost(model: "acme-llm-1", usage: TokenUsage(inputTokens: 1_000_000, outputTokens: 1_000_000)))
        #expect(abs(acme - 3.0) < 1e-9)
        #expect(loaded.price(for: "sample_spec") == nil)
        #expect(loaded.price(for: "1024-x-1024/dall-e-2") == nil)
        #expect(loaded.price(for: "claude-haiku-4-5") == table.price(for: "claude-haiku-4-5"))
        #expect(loaded.count == table.count + 1)
        #expect(loaded.source.contains("(2 models)"))
    }

    @Test(arguments: [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "top level must be a JSON object"),
        (#"{"gpt-4o": 5}"#, #"entry "gpt-4o" is not a JSON object"#),
        (#"{"gpt-4o": {"input_cost_per_token": "cheap"}}"#, #""gpt-4o"."input_cost_per_token" must be a number"#),
        (#"{"gpt-4o": {"input_cost_per_token": true}}"#, #""gpt-4o"."input_cost_per_token" must be a number"#),
        (#"{"gpt-4o": {"input_cost_per_token": -1e-6, "output_cost_per_token": 1e-6}}"#, "must be a non-negative number"),
        (#"{"sample_spec": {"input_cost_per_token": 0.0}, "img": {"output_cost_per_image": 0.04}}"#, "no entry has input_cost_per_token"),
    ])
    func malformedFile_isRejectedWithItsReason(text: String, reason: String) throws {
        let path = try write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try PricingTable.loading(fileAt: path, over: table)
            Issue.record("accepted a malformed file")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
            #expect(error.description.contains(path))
        }
    }

    @Test func missingFile_isRejectedWithItsReason() {
        #expect(throws: PricingTable.LoadError.self) {
            try PricingTable.loading(fileAt: "/nonexistent/prices.json", over: table)
        }
    }
}
