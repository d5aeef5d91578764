import AtomForge
import Synchronization

/// A provider that answers after the plan's simulated latency, with code that tells the validator which attempt
/// made it; no network, so only AtomForge's own orchestration is measured.
final class SimulatedProvider: ModelProvider {
    let kind = ProviderKind.openai
    let model = "simulated"
    let plan: SyntheticPlan?
    private let calls = Mutex<[String: Int]>([:])

    /// `plan` nil: answer at once (the overhead benchmark).
    init(plan: SyntheticPlan?) {
        self.plan = plan
    }

    func send(_ request: ModelRequest) async throws(ProviderError) -> ModelReply {
        let text = request.messages.last?.text ?? ""
        let name = text.split(separator: "`", maxSplits: 2).dropFirst().first.map(String.init) ?? ""
        let attempt = calls.withLock { calls in
            calls[name, default: 0] += 1
            return calls[name]!
        }
        if let plan, let latency = plan.latencies[name]?[min(attempt, 2) - 1] {
            try? await Task.sleep(for: .nanoseconds(Int64(latency * 1e9)))
        }
        return ModelReply(
            text: "```python\ndef \(name)():\n    return \(attempt)  # attempt \(attempt)\n```", stopReason: "stop",
            isTruncated: false, usage: TokenUsage(input: 100, output: 20), model: model)
    }
}

/// Fails the first attempt of the atoms the plan marks, passes everything else; runs no program.
struct SimulatedValidator: Validator {
    let name = "simulated"
    let failing: Set<String>

    func applies(to atom: Atom) -> Bool { true }

    func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        if failing.contains(subject.atom.id), subject.code.hasSuffix("# attempt 1") {
            return [ValidationIssue(.error, "simulated failure", validator: name)]
        }
        return []
    }
}
