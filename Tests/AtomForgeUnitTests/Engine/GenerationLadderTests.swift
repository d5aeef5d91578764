import Logging
import Synchronization
import Testing

@testable import AtomForge

/// The ladder's decisions, with an in-process provider and validator: no HTTP, no child processes.
@Suite("generation ladder")
struct GenerationLadderTests {
    /// Answers each request with the next reply queued for it, and remembers every request.
    final class ScriptedProvider: ModelProvider, Sendable {
        let kind = ProviderKind.openai
        let model: String
        private let state = Mutex<(replies: [String], requests: [ModelRequest], inFlight: Int, mostInFlight: Int)>(
            ([], [], 0, 0))
        private let delay: Duration

        init(model: String = "small", replies: [String], delay: Duration = .zero) {
            self.model = model
            self.delay = delay
            state.withLock { $0.replies = replies }
        }

        var requests: [ModelRequest] { state.withLock { $0.requests } }
        /// The most requests this provider had in flight at once.
        var mostInFlight: Int { state.withLock { $0.mostInFlight } }

        func send(_ request: ModelRequest) async throws(ProviderError) -> ModelReply {
            let text = state.withLock { state -> String in
                state.requests.append(request)
                state.inFlight += 1
                state.mostInFlight = max(state.mostInFlight, state.inFlight)
                return state.replies.isEmpty ? "" : state.replies.removeFirst()
            }
            if delay > .zero { try? await Task.sleep(for: delay) }
            state.withLock { $0.inFlight -= 1 }
            // Markers for failed calls: the server unreachable, or a request it refuses.
            if text == "OUTAGE" {
                throw ProviderError(
                    .transport, "cannot connect to 127.0.0.1:9: connection refused", transportCode: .connectionRefused)
            }
            if text == "HTTP400" { throw ProviderError(.httpStatus, "HTTP 400: prompt is too long", status: 400) }
            return ModelReply(
                text: "```python\n\(text)\n```", stopReason: "stop", isTruncated: false,
                usage: TokenUsage(input: 10, output: 5), model: model)
        }
    }

    /// Fails code by what it says: `syntax` → a syntax error, `wrong` → an assertion, else passes. Counts its runs.
    final class MarkerValidator: Validator, Sendable {
        let name = "python-syntax"
        private let runs = Mutex<[String]>([])

        var validated: [String] { runs.withLock { $0 } }

        func applies(to atom: Atom) -> Bool { true }

        func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
            runs.withLock { $0.append(subject.code) }
            if subject.code.contains("syntax") {
                return [
                    ValidationIssue(
                        .error, "atom.py:1:9: SyntaxError: expected ':'", validator: "python-syntax", kind: .syntax)
                ]
            }
            if subject.code.contains("wrong") {
                return [
                    ValidationIssue(
                        .error, "test failed at tests line 1: assert f() == 1", validator: "tests", kind: .assertion)
                ]
            }
            return []
        }
    }

    let atom = Atom(
        id: "f", name: "f", description: "returns 1", file: "a.py", language: .named("python"),
        tests: "assert f() == 1")

    func client(_ provider: ScriptedProvider, sampling: Bool = true) -> ModelClient {
        ModelClient(
            provider: provider, retryPolicy: RetryPolicy(maxRetries: 0), rateLimiter: RateLimiter(),
            sendsSampling: sampling, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func generate(
        _ ladder: [LadderStep], maxAttempts: Int? = nil, provider: ScriptedProvider, validator: MarkerValidator,
        escalation: ScriptedProvider? = nil, requestSlots: Int = 8, sampling: Bool = true,
        earlier: EarlierAttempts? = nil, checkpoint: (@Sendable (EarlierAttempts) async -> Void)? = nil
    ) async throws -> AtomResult {
        var generation = GenerationSettings()
        generation.ladder = ladder
        generation.maxAttempts = maxAttempts ?? ladder.reduce(0) { $0 + $1.candidates }
        let generator = AtomGenerator(
            services: GeneratorServices(
                client: client(provider, sampling: sampling), escalation: escalation.map { client($0) },
                validators: ValidatorChain([validator]), validationSlots: AsyncSemaphore(permits: 2),
                requestSlots: AsyncSemaphore(permits: requestSlots),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })),
            plan: PlanGeneration(generation: generation, maxTokensCeiling: 256, budget: TokenBudget(limit: 0)))
        return try await generator.generate(
            atom, context: AttemptContext(), continuing: earlier, checkpoint: checkpoint)
    }

    /// A failed attempt of an earlier run, as the journal keeps it.
    func failedAttempt(_ number: Int, step: Int, code: String) -> AttemptRecord {
        var record = AttemptRecord(
            number: number, temperature: 0.2, maxTokens: 256, tokens: TokenUsage(input: 10, output: 5), latencyS: 0,
            transportRetries: 0, stopReason: "stop", truncated: false, code: code,
            issues: [
                ValidationIssue(
                    .error, "test failed at tests line 1: assert f() == 1", validator: "tests", kind: .assertion)
            ],
            passed: false)
        record.step = step
        record.kind = .sample
        record.failure = .assertion
        return record
    }

    @Test("a sample carries no failed code, and has a seed of its own")
    func sampleHasNoHistory() async throws {
        let provider = ScriptedProvider(replies: ["def f(): return 'wrong'", "def f(): return 1"])
        let validator = MarkerValidator()
        let result = try await generate(
            [LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8)], provider: provider,
            validator: validator)
        #expect(result.status == .passed)
        let requests = provider.requests
        #expect(requests.count == 2)
        #expect(!requests[1].messages[0].text.contains("return 'wrong'"))
        #expect(requests[1].messages[0].text == requests[0].messages[0].text)
        #expect(requests.map(\.temperature) == [0.2, 0.8])
        #expect(requests[0].seed != nil && requests[0].seed != requests[1].seed)
        #expect(result.attempts.map(\.kind) == [.sample, .sample])
    }

    @Test("a syntax error is repaired; a failed assertion gets a fresh sample instead")
    func routedByFailure() async throws {
        let repairs = ScriptedProvider(replies: ["def f() syntax", "def f(): return 1"])
        let repaired = try await generate(
            [LadderStep(.sample, temperature: 0.2), LadderStep(.repair, temperature: 0.8)], provider: repairs,
            validator: MarkerValidator())
        #expect(repaired.status == .passed)
        #expect(repairs.requests[1].messages[0].text.contains("def f() syntax"))
        #expect(repairs.requests[1].messages[0].text.contains("SyntaxError: expected ':'"))
        #expect(repaired.attempts.map(\.kind) == [.sample, .repair])
        #expect(repaired.attempts[1].repairs == 1)
        #expect(repaired.attempts[0].failure == .syntax)

        let samples = ScriptedProvider(replies: ["def f(): return 'wrong'", "def f(): return 1"])
        let sampled = try await generate(
            [LadderStep(.sample, temperature: 0.2), LadderStep(.repair, temperature: 0.8)], provider: samples,
            validator: MarkerValidator())
        #expect(!samples.requests[1].messages[0].text.contains("return 'wrong'"))
        #expect(sampled.attempts.map(\.kind) == [.sample, .sample])
        #expect(sampled.attempts[0].failure == .assertion)

        let everything = ScriptedProvider(replies: ["def f(): return 'wrong'", "def f(): return 1"])
        _ = try await generate(
            [LadderStep(.sample, temperature: 0.2), LadderStep(.repair, temperature: 0.8, repairOn: [.assertion])],
            provider: everything, validator: MarkerValidator())
        #expect(everything.requests[1].messages[0].text.contains("return 'wrong'"))
    }

    @Test("a duplicate is not validated twice, and raises the temperature after it")
    func duplicates() async throws {
        let provider = ScriptedProvider(replies: [
            "def f(): return 'wrong'", "def f(): return 'wrong'\n\n# again", "def f(): return 1",
        ])
        let validator = MarkerValidator()
        let result = try await generate(
            [
                LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8),
                LadderStep(.sample, temperature: 0.8),
            ], provider: provider, validator: validator)
        #expect(result.status == .passed)
        #expect(validator.validated.count == 2)
        #expect(result.attempts[1].duplicateOf == 1)
        #expect(result.attempts[1].passed == false)
        #expect(result.attempts[1].issues.first?.validator == "duplicate")
        let third = try #require(provider.requests[2].temperature)
        #expect(abs(third - (0.8 + AtomGenerator.diversityStep)) < 1e-9)
    }

    @Test("escalate goes to the second provider, and the report names the model")
    func escalation() async throws {
        let small = ScriptedProvider(model: "small", replies: ["def f(): return 'wrong'"])
        let large = ScriptedProvider(model: "large", replies: ["def f(): return 1"])
        let result = try await generate(
            [LadderStep(.sample, temperature: 0.2), LadderStep(.escalate, temperature: 0.3)], provider: small,
            validator: MarkerValidator(), escalation: large)
        #expect(result.status == .passed)
        #expect(small.requests.count == 1)
        #expect(large.requests.count == 1)
        #expect(result.attempts.map(\.model) == ["small", "large"])
        #expect(result.attempts[1].kind == .escalate)
    }

    @Test("each provider's own sampling setting decides whether a temperature and a seed are sent")
    func samplingPerProvider() async throws {
        let small = ScriptedProvider(model: "small", replies: ["def f(): return 'wrong'"])
        let large = ScriptedProvider(model: "large", replies: ["def f(): return 1"])
        let result = try await generate(
            [LadderStep(.sample, temperature: 0.2), LadderStep(.escalate, temperature: 0.3)], provider: small,
            validator: MarkerValidator(), escalation: large, sampling: false)
        #expect(result.status == .passed)
        #expect(small.requests.map(\.temperature) == [nil])
        #expect(small.requests.map(\.seed) == [nil])
        #expect(large.requests.map(\.temperature) == [0.3])
        #expect(result.attempts.map(\.temperature) == [nil, 0.3])
    }

    @Test("candidates run at once; the lowest-numbered one that passes wins, whichever finished first")
    func candidates() async throws {
        // Three candidates: the first fails, the second and third pass. With the slow provider all three are in
        // flight together; the winner must be candidate 2 every time.
        for _ in 0..<5 {
            let provider = ScriptedProvider(
                replies: ["def f(): return 'wrong'", "def f():\n    return 1", "def f():  return 1 # third"],
                delay: .milliseconds(50))
            let result = try await generate(
                [LadderStep(.sample, temperature: 0.8, candidates: 3)], provider: provider,
                validator: MarkerValidator())
            #expect(provider.mostInFlight == 3, "the candidates did not run at once")
            #expect(result.status == .passed)
            #expect(result.attempts.map(\.number) == [1, 2, 3])
            #expect(result.attempts.map(\.candidate) == [1, 2, 3])
            #expect(Set(provider.requests.compactMap(\.seed)).count == 3)
            let winner = result.attempts.first(where: \.passed)
            #expect(winner?.number == 2)
            #expect(result.code == winner?.code)
        }
    }

    @Test("candidates wait for request slots: never more requests in flight than execution.max_requests")
    func requestSlots() async throws {
        let provider = ScriptedProvider(
            replies: ["def f(): return 'wrong'", "def f(): return 'wrong' # 2", "def f(): return 1"],
            delay: .milliseconds(30))
        let result = try await generate(
            [LadderStep(.sample, temperature: 0.8, candidates: 3)], provider: provider, validator: MarkerValidator(),
            requestSlots: 1)
        #expect(result.status == .passed)
        #expect(provider.requests.count == 3)
        #expect(provider.mostInFlight == 1)
    }

    @Test("max_attempts caps the model calls, however the ladder is written")
    func cap() async throws {
        let provider = ScriptedProvider(
            replies: Array(repeating: "def f(): return 'wrong'", count: 20).enumerated()
                .map { "\($0.element) # \($0.offset)" })
        let result = try await generate(
            [LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8, candidates: 3)],
            maxAttempts: 5, provider: provider, validator: MarkerValidator())
        #expect(result.status == .failed)
        #expect(provider.requests.count == 5)
        #expect(result.attempts.map(\.step) == [1, 2, 2, 2, 3])
    }

    @Test("an attempt's failure is the kind its validator gave the first failing issue, whatever the message says")
    func classification() {
        let warning = ValidationIssue(.warning, "long", validator: "structure", kind: .syntax)
        let name = ValidationIssue(.error, "test failed at tests line 1", validator: "tests", kind: .name)
        let assertion = ValidationIssue(.error, "NameError: x", validator: "tests", kind: .assertion)
        #expect(FailureKind.classify([warning, name, assertion], truncated: false) == .name)
        #expect(FailureKind.classify([assertion, name], truncated: false) == .assertion)
        // A failing issue that names no kind (a tool that could not run) is `other`; a cut-off reply is truncated.
        #expect(
            FailureKind.classify([ValidationIssue(.critical, "no node", validator: "tests")], truncated: false)
                == .other)
        #expect(FailureKind.classify([name], truncated: true) == .truncated)
        #expect(FailureKind.classify([warning], truncated: false) == nil)
    }

    @Test("an outage stops the atom with the attempts it made; a request the provider refuses fails it")
    func outage() async throws {
        let ladder = [LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8)]
        let down = ScriptedProvider(replies: ["def f(): return 'wrong'", "OUTAGE"])
        do {
            let result = try await generate(ladder, provider: down, validator: MarkerValidator())
            Issue.record("expected an interruption, got \(result.status)")
        } catch let interruption as GenerationInterruption {
            guard case .unavailable(let reason) = interruption.stop else {
                Issue.record("stopped for \(interruption.stop)")
                return
            }
            #expect(reason.contains("connection refused"))
            #expect(interruption.attempts.map(\.number) == [1])
            #expect(interruption.attempts.first?.failure == .assertion)
        }
        let refused = ScriptedProvider(replies: ["HTTP400"])
        let result = try await generate(ladder, provider: refused, validator: MarkerValidator())
        #expect(result.status == .failed)
        #expect(result.reason?.contains("prompt is too long") == true)
        #expect(refused.requests.count == 1)
    }

    @Test("earlier attempts: numbers go on, their code is not validated again, an interrupted ladder resumes")
    func continuing() async throws {
        let ladder = [
            LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8),
            LadderStep(.sample, temperature: 0.9),
        ]
        let earlier = [failedAttempt(1, step: 1, code: "def f(): return 'wrong'")]
        let provider = ScriptedProvider(replies: ["def f(): return 'wrong'", "def f(): return 1"])
        let validator = MarkerValidator()
        let resumed = try await generate(
            ladder, provider: provider, validator: validator, earlier: .resuming(earlier))
        #expect(resumed.status == .passed)
        #expect(resumed.attempts.map(\.number) == [1, 2, 3])
        #expect(resumed.attempts.map(\.step) == [1, 2, 3])
        #expect(resumed.attempts[1].duplicateOf == 1, "the earlier run's code, asked again")
        #expect(validator.validated == ["def f(): return 1"])
        #expect(provider.requests.map(\.temperature) == [0.8, 1.0], "step 1 is not asked again; the duplicate raises")

        let again = ScriptedProvider(replies: ["def f(): return 1"])
        let retried = try await generate(
            ladder, provider: again, validator: MarkerValidator(), earlier: .retrying(earlier))
        #expect(retried.attempts.map(\.number) == [1, 2])
        #expect(retried.attempts.last?.step == 1, "a retry is a new ladder")
        #expect(again.requests.map(\.temperature) == [0.2])
        #expect(again.requests[0].seed != AtomGenerator.seed(atom: "f", attempt: 1), "a seed of its own")
    }

    @Test(
        "each step that leaves the ladder going is a checkpoint: its attempts and the next step, resumable as they are")
    func checkpoints() async throws {
        let ladder = [
            LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8, candidates: 2),
            LadderStep(.sample, temperature: 0.9),
        ]
        let heard = Checkpoints()
        let provider = ScriptedProvider(replies: [
            "def f(): return 'wrong'", "def f(): return 'wrong 2'", "def f(): return 'wrong 3'", "def f(): return 1",
        ])
        let result = try await generate(ladder, provider: provider, validator: MarkerValidator()) {
            await heard.add($0)
        }
        #expect(result.status == .passed)
        let seen = await heard.all
        // After step 1 and step 2, not after step 3, which passed and ended the ladder.
        #expect(seen.map(\.nextStep) == [2, 3], "\(seen.map(\.nextStep))")
        #expect(seen.map { $0.attempts.map(\.number) } == [[1], [1, 2, 3]])
        // What a run killed after step 2 goes on from: step 3 only, its attempts numbered on.
        let resumedProvider = ScriptedProvider(replies: ["def f(): return 1"])
        let resumed = try await generate(
            ladder, provider: resumedProvider, validator: MarkerValidator(), earlier: seen.last)
        #expect(resumed.status == .passed && resumed.attempts.map(\.number) == [1, 2, 3, 4])
        #expect(resumedProvider.requests.map(\.temperature) == [0.9], "the paid steps are not asked again")
    }

    actor Checkpoints {
        var all: [EarlierAttempts] = []
        func add(_ progress: EarlierAttempts) { all.append(progress) }
    }

    @Test("normalised code tells duplicates apart by what runs, not by blank lines and comments")
    func normalisation() {
        let python = Language.named("python")
        #expect(
            AtomGenerator.normalized("def f():\n\n    # the answer\n    return 1  \n", language: python)
                == AtomGenerator.normalized("def f():\n    return 1", language: python))
        #expect(
            AtomGenerator.normalized("def f():\n    return 1", language: python)
                != AtomGenerator.normalized("def f():\n  return 1", language: python))
        #expect(AtomGenerator.seed(atom: "f", attempt: 1) == AtomGenerator.seed(atom: "f", attempt: 1))
        #expect(AtomGenerator.seed(atom: "f", attempt: 1) != AtomGenerator.seed(atom: "f", attempt: 2))
    }
}
