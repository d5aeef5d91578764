extension ProviderSettings {
    /// What `tokens` cost in US dollars at this provider's prices, cached input priced as the API prices it:
    /// Anthropic counts cached tokens apart from `input` (reads at 0.1× the input price, writes at 1.25×); OpenAI
    /// counts them within `input` and bills them at half price.
    public func cost(of tokens: TokenUsage) -> Double {
        let input = inputPricePerMillion / 1e6
        var cost = Double(tokens.output) * outputPricePerMillion / 1e6
        switch kind {
        case .anthropic:
            cost += input * (Double(tokens.input) + 0.1 * Double(tokens.cacheRead) + 1.25 * Double(tokens.cacheWrite))
        case .openai:
            cost += input * (Double(tokens.input - tokens.cacheRead) + 0.5 * Double(tokens.cacheRead))
        }
        return cost
    }
}
