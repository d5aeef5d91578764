extension ProviderSettings {
    /// The prices the cost line uses: the configured ones when `input_price_per_million` or
    /// `output_price_per_million` is set (cached input at `cached_input_price_per_million`, else at the share of the
    /// input price the model's family or its API bills), else the built-in price of the model; nil when neither is
    /// known (a local model).
    public var price: ModelPrice? {
        let listed = ModelPrice.listed(model)
        guard inputPricePerMillion > 0 || outputPricePerMillion > 0 else {
            guard var listed else { return nil }
            if let cachedInputPricePerMillion { listed.cachedInput = cachedInputPricePerMillion }
            return listed
        }
        let share =
            listed.map { $0.input > 0 ? $0.cachedInput / $0.input : 1 } ?? ModelPrice.cachedShare(for: kind)
        let writeShare = kind == .anthropic ? 1.25 : 1
        return ModelPrice(
            input: inputPricePerMillion, output: outputPricePerMillion,
            cachedInput: cachedInputPricePerMillion ?? inputPricePerMillion * share,
            cacheWrite: inputPricePerMillion * writeShare)
    }

    /// What `tokens` cost in US dollars at ``price``, cached input priced as the API bills it: Anthropic counts
    /// cache reads and writes apart from `input`; OpenAI counts cached tokens within `input`. Nil without a price.
    public func cost(of tokens: TokenUsage) -> Double? {
        guard let price else { return nil }
        var cost = Double(tokens.output) * price.output
        switch kind {
        case .anthropic:
            cost +=
                Double(tokens.input) * price.input + Double(tokens.cacheRead) * price.cachedInput
                + Double(tokens.cacheWrite) * price.cacheWrite
        case .openai:
            cost += Double(tokens.input - tokens.cacheRead) * price.input + Double(tokens.cacheRead) * price.cachedInput
        }
        return cost / 1e6
    }
}
