import AtomForgeModel
import AtomForgeSystem
import Logging

/// The evidence side of the ladder: the description's examples as checks, the inputs the model proposes, the vote
/// between candidates, and what each passed atom rests on.
extension AtomGenerator {
    /// What one atom's ladder gathers evidence with, decided once before its first call.
    package struct EvidencePlan: Sendable {
        package var examples: [DescriptionExample] = []
        /// The examples as one test text, run after the plan's tests.
        var checks = ""
        /// Whether passing candidates are compared by behaviour before one is accepted.
        var compares = false
    }

    /// What the votes of one atom keep between steps: the inputs (asked once), each code's behaviour on them (run
    /// once), and the calls that proposed the inputs.
    package struct VoteState: Sendable {
        var seeds: [String]?
        /// The values the model expects some seeds to give (`evidence.agreement.expectations`).
        var expected: [String: String] = [:]
        var proposed = 0
        /// Set once a vote was held without a majority: weak evidence, where `escalate` steps go to the stronger model.
        var undecided = false
        var behaviours: [Int: Behaviour] = [:]
        var calls: [EvidenceCall] = []
    }

    /// The examples of `atom`'s description that read as code, and whether its candidates are compared.
    package func evidencePlan(for atom: Atom) async -> EvidencePlan {
        var plan = EvidencePlan()
        if evidence.examples, validators.runs(atom) {
            plan.examples = await Self.examples(of: atom, runner: probe?.runner, slots: validationSlots)
            plan.checks = DescriptionExample.tests(plan.examples, language: atom.language)
        }
        plan.compares =
            probe != nil && evidence.agreement.isOn && BehaviourProbe.applies(to: atom) && validators.runs(atom)
            && (!atom.hasTests || evidence.agreement.withTests)
            && (plan.examples.isEmpty || evidence.agreement.withExamples)
        return plan
    }

    /// The examples of a function atom's description (``DescriptionExamples``); for Python only those Python's own
    /// parser reads (a check it refuses would fail every candidate: dropped, never guessed at). `runner` parses
    /// them; without one, Python examples are taken as read.
    package static func examples(
        of atom: Atom, runner: ToolRunner?, slots: AsyncSemaphore
    ) async -> [DescriptionExample] {
        guard atom.kind == .function else { return [] }
        let examples = DescriptionExamples.read(atom.description, name: atom.name, language: atom.language)
        guard atom.language.testRunner == .python, let runner, !examples.isEmpty else { return examples }
        var readable: [DescriptionExample] = []
        for example in examples {
            let run = try? await slots.withPermit { () async -> ToolRunner.Run? in
                try? await runner.runParseScript(Language.pythonParse, ["atom.py"], files: ["atom.py": example.check])
            }
            if run?.exitCode == 0 { readable.append(example) }
        }
        return readable
    }

    /// The vote among the passing attempts: the winner and the summary, or nil when fewer than two could vote.
    func vote(
        among passing: [AttemptRecord], of atom: Atom, context: AttemptContext, plan: EvidencePlan,
        state: inout VoteState, mayPropose: Bool
    ) async -> (winner: AttemptRecord, summary: AgreementSummary)? {
        guard let probe, passing.count >= 2 else { return nil }
        if state.seeds == nil {
            var seeds = plan.examples.map(\.call)
            if evidence.agreement.proposeInputs, mayPropose, !(await budget.isExhausted) {
                let (calls, expected, record) = await proposeInputs(
                    for: atom, examples: seeds, priority: context.priority)
                if let record { state.calls.append(record) }
                state.expected = expected
                state.proposed = calls.filter { !seeds.contains($0) }.count
                seeds += calls.filter { !seeds.contains($0) }
            }
            state.seeds = seeds
        }
        let seeds = state.seeds ?? []
        let expected = state.expected
        // Each distinct code votes once for every attempt that wrote it.
        var numbers: [Int: [Int]] = [:]
        for attempt in passing { numbers[attempt.duplicateOf ?? attempt.number, default: []].append(attempt.number) }
        let originals = numbers.keys.sorted()
        let byNumber = Dictionary(passing.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = originals.filter { state.behaviours[$0] == nil }
        let dependencyCode = context.allDependencies.map(\.code)
        let dependencyImports = Self.dependencyImports(context)
        let validationSlots = self.validationSlots
        let priority = context.priority
        let found = await withTaskGroup(of: (Int, Behaviour?).self) { group in
            for number in missing {
                guard let code = byNumber[number]?.code else { continue }
                let subject = ValidationSubject(
                    atom: atom, code: code, dependencyCode: dependencyCode, dependencyImports: dependencyImports)
                group.addTask {
                    let behaviour = try? await validationSlots.withPermit(priority: priority) {
                        await probe.behaviour(of: subject, seeds: seeds, expected: expected)
                    }
                    return (number, behaviour ?? nil)
                }
            }
            var found: [(Int, Behaviour?)] = []
            for await result in group { found.append(result) }
            return found
        }
        // A candidate the probe could not run is tried again at the next vote.
        for case let (number, behaviour?) in found { state.behaviours[number] = behaviour }
        // One answer of the stronger model weighs as two of the atom's own.
        let weightOf = { (number: Int) in byNumber[number]?.kind == .escalate ? 2 : 1 }
        let voters = originals.map { number in
            let all = [number] + (numbers[number] ?? []).filter { $0 != number }
            return AgreementVote.Voter(
                numbers: all, behaviour: state.behaviours[number],
                weight: all.reduce(0) { $0 + weightOf($1) })
        }
        guard let decision = AgreementVote.decide(voters, proposedInputs: state.proposed),
            let winner = byNumber[decision.winner]
        else { return nil }
        state.undecided = !decision.summary.hasMajority && decision.summary.inputs > 0
        return (winner, decision.summary)
    }

    /// One call asking the model for inputs to run the candidates on, and the values it expects them to give when
    /// `evidence.agreement.expectations` is on (``InputProposal``); nothing when it fails.
    private func proposeInputs(
        for atom: Atom, examples: [String], priority: Int
    ) async -> (calls: [String], expected: [String: String], record: EvidenceCall?) {
        if await budget.isExhausted { return ([], [:], nil) }
        let limit = max(4, evidence.agreement.maxInputs / 3)
        let expecting = evidence.agreement.expectations
        let (system, prompt) = InputProposal.request(
            for: atom, count: min(limit, 8), examples: examples, expecting: expecting)
        let temperature = client.sendsSampling ? 0.4 : nil
        let request = ModelRequest(
            system: system, prompt: prompt, maxTokens: 400, temperature: temperature,
            seed: temperature == nil ? nil : Self.seed(atom: atom.id, attempt: 0))
        switch await Self.call(client, request, slots: requestSlots, priority: priority) {
        case .success(let reply):
            await budget.charge(reply.usage)
            let code = CodeExtractor.extract(from: reply.text, language: atom.language)
            let calls = InputProposal.calls(in: code, name: atom.name, limit: limit)
            // An example's call already has the description's own value: the model's is not asked there.
            let fresh = calls.filter { !examples.contains($0) }
            let expected = expecting ? InputProposal.expectations(in: code, of: atom, calls: fresh) : [:]
            var record = EvidenceCall(
                purpose: "inputs", tokens: reply.usage, latencyS: reply.latency.seconds, model: reply.model,
                taken: calls)
            if !expected.isEmpty {
                record.expected = calls.compactMap { call in expected[call].map { "\(call) == \($0)" } }
            }
            return (calls, expected, record)
        case .failure(let error):
            if error.code == .cancelled { return ([], [:], nil) }
            logger.warning(
                "the call proposing inputs failed", metadata: ["atom": "\(atom.id)", "error": "\(error)"])
            return ([], [:], EvidenceCall(purpose: "inputs", tokens: TokenUsage(), latencyS: 0, error: "\(error)"))
        }
    }

    /// What a passed attempt of `atom` rests on.
    func evidence(
        for atom: Atom, plan: EvidencePlan, agreement: AgreementSummary?, attempt: Int?
    ) -> Evidence {
        Evidence.of(
            atom, ran: validators.runs(atom), examples: plan.examples.count, agreement: agreement, attempt: attempt)
    }

    /// The result of an atom whose `winner` passed: passed, or failed when its evidence is below
    /// `validation.require` (it goes to review with its candidates and their disagreements).
    func passedResult(
        _ atom: Atom, attempts: [AttemptRecord], winner: AttemptRecord, evidence: Evidence, calls: [EvidenceCall]
    ) -> AtomResult {
        var result = AtomResult(id: atom.id, status: .passed, attempts: attempts, code: winner.code)
        result.evidence = evidence
        result.evidenceCalls = calls.isEmpty ? nil : calls
        if evidence.level < require {
            result.status = .failed
            result.reason =
                "its checks passed, but on \(evidence.level.rawValue) evidence only (\(evidence.summary)); "
                + "validation.require asks for \(require.rawValue)"
        }
        return result
    }
}
