/// What a model's tokens cost, in US dollars per million: the summaries' cost line.
///
/// The prices of the common hosted models are built in (``table``), so a plan's cost is known without configuring
/// it; `provider.input_price_per_million`, `output_price_per_million` and `cached_input_price_per_million` override
/// them (prices change, and a negotiated or a proxy's price is not the list price). Cached input is priced as each
/// API bills it: Anthropic's cache reads at a tenth of the input price and its writes (five-minute cache) at 1.25×;
/// OpenAI's cached input at a tenth (GPT-5 family), a quarter (GPT-4.1 family) or half (GPT-4o, o-series) of it.
public struct ModelPrice: Sendable, Equatable {
    public var input: Double
    public var output: Double
    /// Input read from the provider's prompt cache.
    public var cachedInput: Double
    /// Input written to the cache (Anthropic bills it; OpenAI caches without a charge).
    public var cacheWrite: Double

    public init(input: Double, output: Double, cachedInput: Double, cacheWrite: Double? = nil) {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite ?? input
    }

    /// When the built-in prices were last checked against the providers' price pages.
    public static let tableDate = "2025-11"

    /// List prices of the common models by model-id prefix (a dated id such as `claude-sonnet-4-5-20250929` or
    /// `gpt-4o-2024-08-06` takes its family's price); the longest matching prefix wins (`gpt-4o-mini` over
    /// `gpt-4o`).
    public static let table: [(prefix: String, price: ModelPrice)] = [
        ("claude-opus-4", anthropic(input: 15, output: 75)),
        ("claude-opus-4-5", anthropic(input: 5, output: 25)),
        ("claude-sonnet-4", anthropic(input: 3, output: 15)),
        ("claude-3-7-sonnet", anthropic(input: 3, output: 15)),
        ("claude-haiku-4-5", anthropic(input: 1, output: 5)),
        ("claude-3-5-haiku", anthropic(input: 0.8, output: 4)),
        ("gpt-5", ModelPrice(input: 1.25, output: 10, cachedInput: 0.125)),
        ("gpt-5-mini", ModelPrice(input: 0.25, output: 2, cachedInput: 0.025)),
        ("gpt-5-nano", ModelPrice(input: 0.05, output: 0.4, cachedInput: 0.005)),
        ("gpt-4.1", ModelPrice(input: 2, output: 8, cachedInput: 0.5)),
        ("gpt-4.1-mini", ModelPrice(input: 0.4, output: 1.6, cachedInput: 0.1)),
        ("gpt-4.1-nano", ModelPrice(input: 0.1, output: 0.4, cachedInput: 0.025)),
        ("gpt-4o", ModelPrice(input: 2.5, output: 10, cachedInput: 1.25)),
        ("gpt-4o-mini", ModelPrice(input: 0.15, output: 0.6, cachedInput: 0.075)),
        ("o3", ModelPrice(input: 2, output: 8, cachedInput: 0.5)),
        ("o3-mini", ModelPrice(input: 1.1, output: 4.4, cachedInput: 0.55)),
        ("o3-pro", ModelPrice(input: 20, output: 80, cachedInput: 20)),
        ("o4-mini", ModelPrice(input: 1.1, output: 4.4, cachedInput: 0.275)),
    ]

    /// An Anthropic price: cache reads at 0.1× the input price, writes at 1.25×.
    static func anthropic(input: Double, output: Double) -> ModelPrice {
        ModelPrice(input: input, output: output, cachedInput: input * 0.1, cacheWrite: input * 1.25)
    }

    /// The built-in price of `model`, nil for a model the table does not know (a local one).
    public static func listed(_ model: String) -> ModelPrice? {
        let id = model.lowercased()
        return table.filter { id.hasPrefix($0.prefix) }.max { $0.prefix.count < $1.prefix.count }?.price
    }

    /// The share of the input price cached input costs when the table does not say: what `kind`'s API bills for
    /// most of its models.
    static func cachedShare(for kind: ProviderKind) -> Double {
        switch kind {
        case .anthropic: 0.1
        case .openai: 0.5
        }
    }
}
