import AtomForgeModel

extension AtomGenerator {
    /// A ladder step's request, the same for each of its candidates but for the seed (``request(_:seed:)``), and
    /// the model it goes to: what the ladder sends, and what `atomforge prompt` shows of its first step.
    struct StepRequest: Sendable {
        var request: ModelRequest
        var model: ModelClient

        /// The request of the candidate whose seed is `seed`; none where no temperature is sent.
        func request(seed: Int) -> ModelRequest {
            var request = self.request
            request.seed = request.temperature == nil ? nil : seed
            return request
        }
    }

    /// The request of ladder step `stepNumber` for `atom`: a repair of `repairing` or a sample, sent to the
    /// escalation model when `escalating`, at the step's temperature raised by `diversity`.
    func stepRequest(
        for atom: Atom, step: LadderStep, number stepNumber: Int, context: AttemptContext, repairing: AttemptRecord?,
        escalating: Bool, diversity: Double, afterTruncation: Bool
    ) -> StepRequest {
        let model = escalating ? (escalation ?? client) : client
        let raised = min(step.temperature + diversity, max(step.temperature, Self.temperatureCeiling))
        // Each provider's own `sampling` setting decides whether a temperature is sent to it.
        let temperature = model.sendsSampling ? (raised * 100).rounded() / 100 : nil
        // With prefill the reply starts inside the code block and ends at its closing fence.
        let prefill = model.prefillsCode ? "```" + atom.language.fenceTags[0] + "\n" : nil
        let maxTokens = prompts.maxTokens(
            for: atom, ceiling: escalating ? (escalationMaxTokensCeiling ?? maxTokensCeiling) : maxTokensCeiling,
            afterTruncation: afterTruncation)
        let system = prompts.system(for: atom, style: step.prompt)
        let (prompt, cacheablePrefix) = prompts.composed(
            for: atom, attempt: stepNumber, context: context, previous: repairing, style: step.prompt,
            notes: validators.promptNotes(for: atom))
        var request = ModelRequest(
            system: system, prompt: prompt, maxTokens: maxTokens, temperature: temperature, seed: nil)
        if let prefill {
            request.prefill = prefill
            request.stop = ["\n```"]
        }
        request.cacheablePrefix = cacheablePrefix
        return StepRequest(request: request, model: model)
    }

    /// The first request the ladder sends for `atom` (its first step's first candidate), and the model it goes
    /// to: `atomforge prompt` prints it. Nil for code the plan provides, which asks no model.
    public func firstRequest(for atom: Atom, context: AttemptContext) -> (request: ModelRequest, model: ModelClient)? {
        guard atom.providedCode == nil, let step = generation.plannedSteps.first else { return nil }
        let built = stepRequest(
            for: atom, step: step, number: 1, context: context, repairing: nil,
            escalating: step.kind == .escalate, diversity: 0, afterTruncation: false)
        return (built.request(seed: Self.seed(atom: atom.id, attempt: 1)), built.model)
    }
}
