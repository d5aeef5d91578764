import AtomForgeModel
import CoreMetrics

/// Counts what the run events tell, for Prometheus: plans and atoms by status, attempts by kind and verdict,
/// tokens, and their cost when the provider's prices are configured.
public struct RunMetrics: RunObserver {
    let inputPricePerMillion: Double
    let outputPricePerMillion: Double

    public init(provider: ProviderSettings) {
        inputPricePerMillion = provider.inputPricePerMillion
        outputPricePerMillion = provider.outputPricePerMillion
    }

    static let plansRunning = Meter(label: "atomforge_plans_running")

    public func observe(_ event: RunEvent) async {
        switch event.event {
        case .planStarted:
            Self.plansRunning.increment()
        case .planFinished:
            Self.plansRunning.decrement()
            Counter(label: "atomforge_plans_total", dimensions: [("status", event.status ?? "unknown")]).increment()
        case .atomFinished:
            Counter(label: "atomforge_atoms_total", dimensions: [("status", event.status ?? "unknown")]).increment()
        case .attemptFinished:
            Counter(
                label: "atomforge_attempts_total",
                dimensions: [("kind", event.kind ?? "sample"), ("status", event.status ?? "unknown")]
            ).increment()
            let input = event.tokensIn ?? 0
            let output = event.tokensOut ?? 0
            Counter(label: "atomforge_tokens_total", dimensions: [("direction", "input")]).increment(by: input)
            Counter(label: "atomforge_tokens_total", dimensions: [("direction", "output")]).increment(by: output)
            if inputPricePerMillion > 0 || outputPricePerMillion > 0 {
                FloatingPointCounter(label: "atomforge_cost_dollars_total").increment(
                    by: Double(input) * inputPricePerMillion / 1e6 + Double(output) * outputPricePerMillion / 1e6)
            }
        case .atomStarted, .attemptStarted:
            break
        }
    }
}
