import AtomForgeTestSupport
import Testing

@testable import AtomForge

@Suite("pipeline.yaml")
struct PipelineConfigTests {
    /// The problems `text` has, one message a line, or nil when it is accepted.
    func problems(_ text: String) -> String? {
        do {
            _ = try PipelineConfig.parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("an empty file gives the documented defaults")
    func defaults() throws {
        let config = try PipelineConfig.parse("")
        #expect(config.provider.kind == .openai)
        #expect(config.provider.baseURL == "http://127.0.0.1:8089/v1")
        #expect(config.generation.ladder == GenerationSettings.defaultLadder)
        #expect(config.generation.maxAttempts == 7)
        #expect(config.generation.temperatures == nil)
        #expect(config.execution.requestSlots == config.execution.maxWorkers)
        #expect(config.execution.maxWorkers == 8)
        #expect(config.paths.inbox == "inbox")
    }

    @Test("evidence: examples and agreement on by default, every key read, bad values refused with what to write")
    func evidence() throws {
        let defaults = try PipelineConfig.parse("")
        #expect(defaults.evidence.examples && defaults.evidence.agreement.candidates == 3)
        #expect(defaults.evidence.agreement.isOn && !defaults.evidence.agreement.withTests)
        #expect(!defaults.evidence.agreement.withExamples)
        #expect(defaults.validation.require == .parsed)
        let config = try PipelineConfig.parse(
            """
            validation: {require: agreement}
            evidence:
              examples: false
              agreement:
                {candidates: 4, max_candidates: 6, propose_inputs: false, expectations: true, max_inputs: 30,
                 with_tests: true, with_examples: true}
            """)
        #expect(config.validation.require == .agreement)
        #expect(!config.evidence.examples)
        #expect(
            config.evidence.agreement
                == {
                    var agreement = AgreementSettings()
                    agreement.candidates = 4
                    agreement.maxCandidates = 6
                    agreement.proposeInputs = false
                    agreement.expectations = true
                    agreement.maxInputs = 30
                    agreement.withTests = true
                    agreement.withExamples = true
                    return agreement
                }())
        #expect(!(try PipelineConfig.parse("evidence: {agreement: {candidates: 0}}").evidence.agreement.isOn))
        #expect(
            try PipelineConfig.parse("evidence: {agreement: {candidates: 7}}").evidence.agreement.maxCandidates == 7)
        #expect(problems("validation: {require: proven}")?.contains("use one of parsed, loaded, agreement") == true)
        #expect(problems("evidence: {agreement: {candidates: 9}}")?.contains("evidence.agreement.candidates") == true)
        #expect(
            problems("evidence: {agreement: {candidates: 4, max_candidates: 3}}")?.contains("max_candidates") == true)
        #expect(problems("evidence: {agreement: {max_inputs: 0}}")?.contains("evidence.agreement.max_inputs") == true)
        #expect(problems("evidence: {agreements: {}}")?.contains("agreements") == true)
    }

    @Test("the pipeline.yaml at the top of the repository is valid")
    func repositoryConfig() throws {
        let config = try PipelineConfig.load(fromFile: RepositoryFiles.path("pipeline.yaml"))
        #expect(config.outboxPath.hasSuffix("/outbox"))
    }

    @Test("every example config is valid", arguments: ["claude", "openai", "vllm", "ollama", "escalate-1.5b"])
    func exampleConfigs(name: String) throws {
        let config = try PipelineConfig.load(fromFile: RepositoryFiles.path("examples/config/\(name).yaml"))
        #expect(config.outboxPath.hasSuffix("examples/config/../../outbox"))
    }

    @Test("the default config starts the local model server")
    func embeddedDefault() throws {
        let config = try PipelineConfig.load(fromFile: RepositoryFiles.path("pipeline.yaml"))
        let server = try #require(config.server)
        #expect(server.port == 8089)
        #expect(config.provider.baseURL == "http://127.0.0.1:\(server.port)/v1")
        #expect(server.requiredFiles.allSatisfy { server.arguments.contains($0) })
    }

    @Test("temperatures (the older form) is the repair loop, its last temperature repeating")
    func temperatures() throws {
        let generation = try PipelineConfig.parse("generation:\n  temperatures: [0.7, 0.5]\n").generation
        #expect(generation.maxAttempts == 4)
        var longer = generation
        longer.maxAttempts = 9
        #expect(longer.plannedSteps.first?.temperature == 0.7)
        #expect(longer.plannedSteps[1].temperature == 0.5)
        #expect(longer.plannedSteps[8].temperature == 0.5)
        let steps = generation.plannedSteps
        #expect(steps.map(\.kind) == [.sample, .repair, .repair, .repair])
        #expect(steps.map(\.temperature) == [0.7, 0.5, 0.5, 0.5])
        #expect(steps.dropFirst().allSatisfy { $0.repairOn == Set(FailureKind.allCases) })
    }

    @Test("a ladder: its steps, candidates cut at max_attempts, the last step repeating")
    func ladder() throws {
        let generation = try PipelineConfig.parse(
            """
            generation:
              max_attempts: 6
              ladder:
                - {kind: sample, temperature: 0.1}
                - {kind: repair, temperature: 0.9, candidates: 2, repair_on: [syntax, assertion]}
                - {kind: sample, candidates: 3, prompt: plain}
            """
        ).generation
        let steps = generation.plannedSteps
        #expect(steps.map(\.kind) == [.sample, .repair, .sample])
        #expect(steps.map(\.candidates) == [1, 2, 3])
        #expect(steps[1].repairOn == [.syntax, .assertion])
        #expect(steps[2].temperature == 0.8)
        #expect(steps[2].prompt == .plain)
        #expect(steps[0].repairOn == LadderStep.repairableByDefault)
        let longer = try PipelineConfig.parse(
            "generation:\n  max_attempts: 5\n  ladder: [{kind: sample}, {kind: repair, candidates: 3}]\n"
        ).generation.plannedSteps
        #expect(longer.map(\.candidates) == [1, 3, 1])
        let unset = try PipelineConfig.parse("generation:\n  ladder: [{kind: sample}, {kind: sample, candidates: 2}]\n")
        #expect(unset.generation.maxAttempts == 3)
        #expect(unset.generation.systemPrompt == nil)
        let quiet = try PipelineConfig.parse("generation:\n  system_prompt: \"\"\n")
        #expect(quiet.generation.systemPrompt == "")
    }

    @Test(
        "a bad ladder says what to fix",
        arguments: [
            (
                "generation:\n  ladder: [{kind: guess}]\n",
                "generation.ladder[0].kind: unknown value 'guess'; use one of sample, repair, escalate"
            ),
            (
                "generation:\n  ladder: [{kind: repair, repair_on: [typo]}]\n",
                "generation.ladder[0].repair_on: unknown failure 'typo'"
            ),
            (
                "generation:\n  ladder: [{kind: sample, candidates: 0}]\n",
                "generation.ladder[0].candidates must be from 1 to 8"
            ),
            (
                "generation:\n  ladder: [{kind: sample, temperature: 3}]\n",
                "generation.ladder[0].temperature each temperature must be from 0 to 2"
            ),
            (
                "generation:\n  ladder: [{kind: escalate}]\n",
                "generation.ladder[0].kind is escalate, but no escalation provider is configured"
            ),
            ("generation:\n  ladder: []\n", "generation.ladder must list at least one step"),
            ("generation:\n  ladder: [{kind: sample}]\n  temperatures: [0.2]\n", "use either ladder"),
            ("generation:\n  ladder: [{kind: sample, temprature: 0.2}]\n", "temprature"),
        ])
    func badLadder(text: String, expected: String) {
        let message = problems(text)
        #expect(message?.contains(expected) == true, "\(message ?? "accepted")")
    }

    @Test("an escalation section: its own provider, and a server that must not share the first one's port")
    func escalation() throws {
        let config = try PipelineConfig.parse(
            """
            generation:
              ladder: [{kind: sample}, {kind: escalate, temperature: 0.3}]
            escalation:
              provider: {base_url: "http://127.0.0.1:8090/v1", model: bigger}
              server: {command: llama-server, port: 8090}
            """)
        #expect(config.generation.escalates)
        #expect(config.escalation?.provider.model == "bigger")
        #expect(config.escalation?.server?.port == 8090)
        let clash = problems(
            """
            server: {command: llama-server, port: 8089}
            escalation:
              provider: {model: bigger}
              server: {command: llama-server, port: 8089}
            """)
        #expect(clash?.contains("escalation.server.port must differ from server.port") == true, "\(clash ?? "")")
    }

    @Test("an anthropic provider gets Anthropic's URL and key variable")
    func anthropicDefaults() throws {
        let config = try PipelineConfig.parse("provider:\n  kind: anthropic\n  model: claude-sonnet-4-5\n")
        #expect(config.provider.baseURL == "https://api.anthropic.com")
        #expect(config.provider.apiKeyEnvironmentVariable == "ANTHROPIC_API_KEY")
    }

    @Test("an unknown key is named, with its place and a suggestion")
    func unknownKey() {
        let message = problems("execution:\n  max_worker: 2\n")
        #expect(message?.contains("pipeline.yaml:2:15: error: unknown key 'max_worker' in 'execution'") == true)
        #expect(message?.contains("did you mean 'max_workers'?") == true)
    }

    @Test("an unknown top-level section is named")
    func unknownSection() {
        #expect(problems("providers:\n  kind: openai\n")?.contains("unknown key 'providers' at the top level") == true)
    }

    @Test("an unknown provider kind lists the kinds allowed")
    func unknownKind() {
        #expect(
            problems("provider:\n  kind: gemini\n")?.contains("unknown provider kind 'gemini'; use anthropic or openai")
                == true)
    }

    @Test("every problem in one run: wrong types, unknown keys and impossible values, in the file's order")
    func everyProblemAtOnce() throws {
        let message = try #require(
            problems(
                """
                provider:
                  max_tokens: lots
                  modle: x
                generation:
                  max_attempts: [1]
                execution:
                  max_workers: 0
                validation: 5
                """))
        let lines = message.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(lines)")
        #expect(
            lines[0].hasPrefix("pipeline.yaml:2:15: error: provider.max_tokens: expected a whole number, found 'lots'"),
            "\(lines)")
        #expect(lines[1].hasPrefix("pipeline.yaml:3:10: error: unknown key 'modle' in 'provider'"))
        #expect(lines[1].contains("did you mean 'model'?"))
        #expect(lines[2].hasPrefix("pipeline.yaml:5:17: error: generation.max_attempts"))
        #expect(lines[3].hasPrefix("pipeline.yaml:7:16: error: execution.max_workers must be from 1 to 1024"))
        #expect(lines[4].hasPrefix("pipeline.yaml:8:13: error: validation: expected a mapping"))
    }

    @Test("a managed server on another port than provider.base_url is an error before anything starts")
    func serverPort() throws {
        let message = try #require(
            problems(
                """
                provider:
                  base_url: http://127.0.0.1:8090/v1
                server:
                  command: llama-server
                  port: 8089
                """))
        #expect(
            message.contains(
                "pipeline.yaml:5:9: error: server.port is 8089, but provider.base_url (http://127.0.0.1:8090/v1) "
                    + "sends requests to port 8090"), "\(message)")
        #expect(
            problems(
                "provider:\n  base_url: http://127.0.0.1:8089/v1\nserver:\n  command: llama-server\n  port: 8089\n")
                == nil)
        let escalation = try #require(
            problems(
                """
                generation:
                  ladder: [{kind: sample}, {kind: escalate}]
                escalation:
                  provider: {base_url: "http://localhost/v1"}
                  server: {command: llama-server, port: 8091}
                """))
        #expect(
            escalation.contains("escalation.server.port is 8091, but escalation.provider.base_url"), "\(escalation)")
        #expect(escalation.contains("sends requests to port 80"))
    }

    @Test("a user and password written into a URL never reach an error message")
    func redactedURL() throws {
        let message = try #require(
            problems(
                """
                provider:
                  base_url: http://bob:sk-secret-123@127.0.0.1:8090/v1
                server:
                  command: llama-server
                  port: 8089
                """))
        #expect(message.contains("(http://***@127.0.0.1:8090/v1)") && !message.contains("sk-secret-123"), "\(message)")
        #expect(PipelineConfig.redacted("ftp-ish:user:pw@host") == "***@host")
        #expect(PipelineConfig.redacted("https://host/v1/@me") == "https://host/v1/@me")
    }

    @Test("impossible values are all reported, each saying what is allowed")
    func impossibleValues() throws {
        let message = try #require(
            problems(
                """
                provider:
                  timeout_s: -1
                generation:
                  max_attempts: 0
                  temperatures: []
                execution:
                  max_workers: 0
                validation:
                  timeout_s: 0
                  scratch_mb: 0
                """))
        #expect(
            message.contains(
                "pipeline.yaml:2:14: error: provider.timeout_s must be from 0.001 to 86400 seconds (found -1.0)"))
        #expect(message.contains("generation.max_attempts must be at least 1"))
        #expect(message.contains("generation.temperatures must list at least one temperature"))
        #expect(message.contains("pipeline.yaml:7:16: error: execution.max_workers must be from 1 to 1024 (found 0)"))
        #expect(message.contains("validation.timeout_s must be from 0.001 to 86400 seconds"))
        #expect(
            message.contains("pipeline.yaml:10:15: error: validation.scratch_mb must be from 8 to 1048576 (found 0)"))
        #expect(message.split(separator: "\n").count == 6)
    }

    @Test("the suite's limits: a run of at least a second and at most a day, a test no longer than the run")
    func suiteLimits() throws {
        let message = try #require(problems("suite:\n  timeout_s: 1e300\n  test_timeout_s: 0\n"))
        #expect(message.contains("suite.timeout_s must be from 1 to 86400 seconds"), "\(message)")
        #expect(message.contains("suite.test_timeout_s must be from 0.1 seconds to suite.timeout_s"), "\(message)")
        let longer = try #require(problems("suite:\n  timeout_s: 5\n  test_timeout_s: 6\n"))
        #expect(longer.contains("suite.test_timeout_s"), "\(longer)")
        #expect(problems("suite:\n  timeout_s: 60\n  test_timeout_s: 2.5\n") == nil)
        // Only the run's limit set, below the default test limit: the test limit follows it.
        #expect(try PipelineConfig.parse("suite:\n  timeout_s: 5\n").suite.testTimeoutSeconds == 5)
    }

    @Test("a key pasted into api_key_env is refused without being repeated")
    func keyInsteadOfVariable() throws {
        let message = try #require(problems("provider:\n  api_key_env: sk-secret-123\n"))
        #expect(message.contains("must be the name of an environment variable"))
        #expect(!message.contains("sk-secret-123"))
    }

    @Test("a wrong type is located")
    func wrongType() {
        #expect(
            problems("execution:\n  max_workers: many\n")?.contains(
                "2:16: error: execution.max_workers: expected a whole number, found 'many'") == true)
    }

    @Test("relative paths are resolved against the config file's folder")
    func relativePaths() throws {
        var config = try PipelineConfig.parse("paths:\n  inbox: in\n  outbox: /var/out\n")
        config.directory = "/srv/forge"
        #expect(config.inboxPath == "/srv/forge/in")
        #expect(config.outboxPath == "/var/out")
    }

    @Test("a missing config file says what to do")
    func missingFile() {
        #expect {
            _ = try PipelineConfig.load(fromFile: "/nonexistent/pipeline.yaml")
        } throws: { error in
            "\(error)".contains("the config file does not exist; create it")
        }
    }

    @Test("budget.cost_per_plan: needs a price, and room for one call's output at it")
    func costCap() throws {
        let priced =
            "provider:\n  model: m\n  max_tokens: 1000\n  input_price_per_million: 3\n  output_price_per_million: 15\n"
        #expect(try PipelineConfig.parse(priced + "budget:\n  cost_per_plan: 0.5\n").budget.costPerPlan == 0.5)
        let unknown = try #require(problems("provider:\n  model: my-local\nbudget:\n  cost_per_plan: 1\n"))
        #expect(unknown.contains("budget.cost_per_plan needs the model's price"), "\(unknown)")
        // 1000 output tokens at $15 per million: $0.015 a call at most.
        let tight = try #require(problems(priced + "budget:\n  cost_per_plan: 0.01\n"))
        #expect(tight.contains("is less than one call may cost"), "\(tight)")
        #expect(problems(priced + "budget:\n  cost_per_plan: -1\n")?.contains("must be from 0 (no cap)") == true)
        // The list prices AtomForge knows price a known model without configuration.
        #expect(
            problems("provider:\n  kind: anthropic\n  model: claude-sonnet-4-5\nbudget:\n  cost_per_plan: 1\n") == nil)
    }
}
