import AtomForge
import AtomForgeTestSupport
import Testing

/// The attempt loop in-process: a scripted model, a validator that runs nothing. Each test is one plan of one atom
/// and what the ladder made of its replies.
@Suite("the attempt loop")
struct AtomGeneratorTests {
    let atom = TestEngine.atom("value")

    func generate(
        _ replies: [ScriptedProvider.Reply], steps: [LadderStep], validator: ScriptedValidator = ScriptedValidator(),
        budget: Int = 0
    ) async throws(GenerationInterruption) -> (AtomResult, ScriptedProvider) {
        let provider = ScriptedProvider(["value": replies])
        let generator = TestEngine.generator(provider, validator: validator, steps: steps, budget: budget)
        let result = try await generator.generate(atom, context: AttemptContext())
        return (result, provider)
    }

    @Test("a failure, then a pass: two attempts, the winner's code kept, each with its step and kind")
    func failThenPass() async throws {
        let (result, provider) = try await generate(
            [.code("def value():\n    return 2  # bug"), .code("def value():\n    return 1")],
            steps: [LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8)])
        #expect(result.status == .passed)
        #expect(result.attempts.map(\.passed) == [false, true])
        #expect(result.attempts.map(\.step) == [1, 2] && result.attempts.map(\.kind) == [.sample, .sample])
        #expect(result.code == "def value():\n    return 1")
        #expect(result.attempts[0].failure == .assertion)
        #expect(provider.requests.map(\.temperature) == [0.2, 0.8])
        #expect(provider.requests[0].seed != provider.requests[1].seed, "each sample has a seed of its own")
    }

    @Test("a repair step carries the failed code and its error; a sample step does not")
    func repairCarriesTheFailure() async throws {
        let failing = "def value():\n    return 2  # bug"
        let (_, provider) = try await generate(
            [.code(failing), .code("def value():\n    return 1")],
            steps: [
                LadderStep(.sample, temperature: 0.2), LadderStep(.repair, temperature: 0.5, repairOn: [.assertion]),
            ])
        let repair = provider.requests[1].messages.last?.text ?? ""
        #expect(repair.contains(failing) && repair.contains("assert value() == 2"), "\(repair)")
        let sample = provider.requests[0].messages.last?.text ?? ""
        #expect(sample.contains("defines `value`") && !sample.contains("# bug"))
    }

    @Test("the same code again is a duplicate: not validated again, and the next step is hotter")
    func duplicates() async throws {
        let validator = ScriptedValidator()
        let failing = "def value():\n    return 2  # bug"
        let (result, provider) = try await generate(
            [.code(failing), .code("def value():\n\n    return 2  # bug  "), .code("def value():\n    return 1")],
            steps: [
                LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.2),
                LadderStep(.sample, temperature: 0.5),
            ],
            validator: validator)
        #expect(result.status == .passed)
        #expect(result.attempts[1].duplicateOf == 1, "blank lines and trailing spaces do not make new code")
        #expect(validator.codes.count == 2, "the duplicate was not validated")
        #expect(provider.requests.map(\.temperature) == [0.2, 0.2, 0.6])
    }

    @Test("every step failing: failed, with the last error as the reason")
    func allFail() async throws {
        let (result, _) = try await generate(
            [.code("def value():\n    return 2  # bug")],
            steps: [LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.9)])
        #expect(result.status == .failed)
        #expect(
            result.reason?.hasPrefix("failed 2 attempts; last: test failed at tests line 1") == true,
            "\(result.reason ?? "")")
    }

    @Test("a reply cut off at max_tokens fails as such, and the next step may use the whole ceiling")
    func truncated() async throws {
        let small = Atom(
            id: "value", name: "value", description: "returns 1", file: "m.py", language: .named("python"),
            estimatedLOC: 3)
        let provider = ScriptedProvider([
            "value": [.cutOff("```python\ndef value():\n    return"), .code("def value():\n    return 1")]
        ])
        let result = try await TestEngine.generator(
            provider, steps: [LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8)]
        ).generate(small, context: AttemptContext())
        #expect(result.status == .passed && result.attempts[0].truncated)
        #expect(result.attempts[0].failure == .truncated)
        #expect(
            provider.requests[1].maxTokens == 1024 && provider.requests[0].maxTokens < 1024,
            "\(provider.requests.map(\.maxTokens))")
    }

    @Test("a budget spent stops the atom with the attempts it made, to go on from")
    func budget() async {
        do {
            _ = try await generate(
                [.code("def value():\n    return 2  # bug")],
                steps: [LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8)], budget: 50)
            Issue.record("the budget did not stop the atom")
        } catch {
            #expect(error.stop == .budget)
            #expect(error.attempts.count == 1 && error.progress.nextStep == 2)
        }
    }

    @Test("an outage stops the atom to be asked again; a refusal that is no outage fails it")
    func unreachable() async throws {
        let refused = ProviderError(.transport, "connection refused", transportCode: .connectionRefused)
        do {
            _ = try await generate([.failure(refused)], steps: [LadderStep(.sample, temperature: 0.2)])
            Issue.record("an outage did not stop the atom")
        } catch {
            guard case .unavailable = error.stop else {
                Issue.record("stopped for \(error.stop)")
                return
            }
            #expect(error.progress.nextStep == 1, "the step that got no reply is asked again")
        }
        let tooLong = ProviderError(.httpStatus, "prompt is too long", status: 400)
        let (result, _) = try await generate([.failure(tooLong)], steps: [LadderStep(.sample, temperature: 0.2)])
        #expect(result.status == .failed && result.reason?.contains("could not be reached: prompt is too long") == true)
    }
}
