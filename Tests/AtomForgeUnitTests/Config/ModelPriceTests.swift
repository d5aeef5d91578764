import Testing

@testable import AtomForge

@Suite("model prices")
struct ModelPriceTests {
    func provider(_ kind: ProviderKind, _ model: String) -> ProviderSettings {
        var provider = ProviderSettings()
        provider.kind = kind
        provider.model = model
        return provider
    }

    @Test("a dated model id takes its family's list price; the longest prefix wins; a local model has none")
    func listed() {
        #expect(ModelPrice.listed("claude-sonnet-4-5-20250929")?.input == 3)
        #expect(ModelPrice.listed("claude-opus-4-5-20251101")?.output == 25)
        #expect(ModelPrice.listed("claude-opus-4-1-20250805")?.output == 75)
        #expect(ModelPrice.listed("gpt-4o-mini-2024-07-18")?.input == 0.15)
        #expect(ModelPrice.listed("gpt-4o-2024-08-06")?.input == 2.5)
        #expect(ModelPrice.listed("o3-mini")?.input == 1.1)
        #expect(ModelPrice.listed("qwen2.5-coder-0.5b-instruct") == nil)
        #expect(provider(.openai, "qwen2.5-coder-0.5b-instruct").cost(of: TokenUsage(input: 1000, output: 10)) == nil)
    }

    @Test("cached input is priced as each API bills it: Anthropic reads 0.1x and writes 1.25x; OpenAI by family")
    func cached() throws {
        let million = 1_000_000
        let sonnet = try #require(
            provider(.anthropic, "claude-sonnet-4-5").cost(
                of: TokenUsage(input: million, output: million, cacheRead: million, cacheWrite: million)))
        #expect(abs(sonnet - (3 + 15 + 0.3 + 3.75)) < 1e-9)
        // OpenAI counts cached tokens within the input.
        let usage = TokenUsage(input: 2 * million, output: 0, cacheRead: million)
        #expect(abs((provider(.openai, "gpt-5").cost(of: usage) ?? 0) - (1.25 + 0.125)) < 1e-9)
        #expect(abs((provider(.openai, "gpt-4.1").cost(of: usage) ?? 0) - (2 + 0.5)) < 1e-9)
        #expect(abs((provider(.openai, "gpt-4o").cost(of: usage) ?? 0) - (2.5 + 1.25)) < 1e-9)
    }

    @Test("configured prices override the table; cached input keeps the family's share unless configured too")
    func configured() {
        var gpt5 = provider(.openai, "gpt-5")
        gpt5.inputPricePerMillion = 2
        gpt5.outputPricePerMillion = 8
        #expect(gpt5.price == ModelPrice(input: 2, output: 8, cachedInput: 0.2))
        gpt5.cachedInputPricePerMillion = 1
        #expect(gpt5.price?.cachedInput == 1)
        var unknown = provider(.openai, "my-proxy-model")
        unknown.inputPricePerMillion = 1
        #expect(unknown.price == ModelPrice(input: 1, output: 0, cachedInput: 0.5))
        var claude = provider(.anthropic, "claude-haiku-4-5")
        claude.cachedInputPricePerMillion = 0.05
        #expect(claude.price == ModelPrice(input: 1, output: 5, cachedInput: 0.05, cacheWrite: 1.25))
    }
}
