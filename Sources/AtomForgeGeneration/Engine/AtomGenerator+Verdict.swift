import AtomForgeModel
import AtomForgeSystem

extension AtomGenerator {
    /// What every attempt of one ladder step shares: its number and kind, the attempt it repairs, and the request
    /// its candidates were asked with (each with its own seed).
    struct StepFacts: Sendable {
        var number: Int
        var kind: AttemptKind
        var repairs: Int?
        var request: ModelRequest
    }

    /// The attempt a candidate's reply makes, with its verdict: the same code as one validated before takes that
    /// one's verdict (and raises `diversity`, since the model repeats itself); a reply cut off or code over the
    /// size limit fails as such; anything else is validated in the chain. Nil when the validation was cancelled
    /// (a shutdown): no verdict, the attempt is asked again.
    func verdict(
        on candidate: Candidate, reply: ModelReply, step: StepFacts, work: AtomWork,
        validated: inout [String: AttemptRecord], diversity: inout Double
    ) async -> AttemptRecord? {
        let atom = work.atom
        let cutOff = reply.isTruncated && !candidate.salvaged
        let temperature = step.request.temperature
        var record = AttemptRecord(
            number: candidate.number, temperature: temperature, maxTokens: step.request.maxTokens,
            tokens: reply.usage, latencyS: reply.latency.seconds, transportRetries: reply.transportRetries,
            stopReason: reply.stopReason, truncated: cutOff, code: candidate.code, issues: [], passed: false)
        record.step = step.number
        record.candidate = candidate.index
        record.kind = step.kind
        record.repairs = step.repairs
        record.model = reply.model
        record.seed = temperature == nil ? nil : candidate.seed
        record.system = step.request.system
        record.prompt = step.request.messages.first?.text ?? ""
        record.reply = CodeSizeLimit.kept(reply.text, limit: CodeSizeLimit.keptReplyBytes)
        let key = Self.key(of: candidate.code, truncated: cutOff, language: atom.language)
        if let earlier = validated[key] {
            record.duplicateOf = earlier.number
            record.passed = earlier.passed
            record.failure = earlier.failure
            record.isolation = earlier.isolation
            record.issues =
                [
                    ValidationIssue(
                        .info, "the same code as attempt \(earlier.number); not validated again",
                        validator: "duplicate")
                ] + earlier.issues
            diversity += Self.diversityStep
            return record
        }
        if cutOff {
            record.issues = [
                ValidationIssue(
                    .error,
                    "the reply was cut off at max_tokens (\(step.request.maxTokens)) before the code was complete",
                    validator: "reply", kind: .truncated)
            ]
        } else if let size = candidate.oversize, let issue = work.sizeLimit.issue(forCodeOf: size) {
            record.issues = [issue]
        } else {
            let subject = ValidationSubject(
                atom: atom, code: candidate.code, dependencyCode: work.dependencyCode,
                dependencyImports: work.dependencyImports,
                enclosing: Self.enclosing(candidate.code, of: atom, in: work.scope), checks: work.checks,
                knownNames: work.planNames)
            let validators = self.validators
            do {
                record.issues = try await validationSlots.withPermit(priority: work.priority) {
                    await validators.validate(subject)
                }
            } catch {
                return nil
            }
            if candidate.salvaged {
                record.issues.insert(
                    ValidationIssue(
                        .info,
                        "the reply was cut off inside a method that is an atom of its own; the class without the "
                            + "methods planned apart was validated",
                        validator: "reply"), at: 0)
            }
            record.isolation = validators.isolation
            record.enclosing = subject.enclosing?.text
        }
        record.passed = !record.issues.contains { $0.severity.fails }
        record.failure = record.passed ? nil : FailureKind.classify(record.issues, truncated: record.truncated)
        validated[key] = record
        return record
    }
}
