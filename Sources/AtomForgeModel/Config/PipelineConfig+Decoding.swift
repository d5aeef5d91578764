import AtomForgeSystem

extension KeyedDecodingContainer {
    /// The value under `key`, or `fallback` when the key is absent or null. While a decoding reports every problem
    /// (``DecodingProblems``), a value that does not decode is recorded and `fallback` taken, so the rest is read.
    func decode<T: Decodable>(_ key: Key, or fallback: T) throws -> T {
        do {
            return try decodeIfPresent(T.self, forKey: key) ?? fallback
        } catch {
            guard let problems = DecodingProblems.current else { throw error }
            problems.record(error)
            return fallback
        }
    }
}

extension PipelineConfig: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case provider, generation, execution, validation, evidence, paths, budget, server, escalation, metrics, suite
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        provider = try container.decode(.provider, or: ProviderSettings())
        generation = try container.decode(.generation, or: GenerationSettings())
        execution = try container.decode(.execution, or: ExecutionSettings())
        validation = try container.decode(.validation, or: ValidationSettings())
        evidence = try container.decode(.evidence, or: EvidenceSettings())
        paths = try container.decode(.paths, or: PathSettings())
        budget = try container.decode(.budget, or: BudgetSettings())
        suite = try container.decode(.suite, or: SuiteSettings())
        metrics = try container.decode(.metrics, or: MetricsSettings())
        server = try container.decodeIfPresent(ServerSettings.self, forKey: .server)
        escalation = try container.decodeIfPresent(EscalationSettings.self, forKey: .escalation)
    }
}

extension EscalationSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case provider, server
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        provider = try container.decode(ProviderSettings.self, forKey: .provider)
        server = try container.decodeIfPresent(ServerSettings.self, forKey: .server)
    }
}

extension ProviderSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, model, sampling, prefill
        case promptCache = "prompt_cache"
        case baseURL = "base_url"
        case apiKeyEnvironmentVariable = "api_key_env"
        case maxTokens = "max_tokens"
        case timeoutSeconds = "timeout_s"
        case connectTimeoutSeconds = "connect_timeout_s"
        case maxRetries = "max_retries"
        case inputPricePerMillion = "input_price_per_million"
        case outputPricePerMillion = "output_price_per_million"
        case cachedInputPricePerMillion = "cached_input_price_per_million"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ProviderSettings()
        kind = try container.decode(.kind, or: defaults.kind)
        // The other provider's default URL and key variable would be wrong, so they follow the kind.
        let isAnthropic = kind == .anthropic
        baseURL = try container.decode(.baseURL, or: isAnthropic ? "https://api.anthropic.com" : defaults.baseURL)
        if kind == .anthropic, !container.contains(.model) {
            throw DecodingError.keyNotFound(
                CodingKeys.model,
                .init(codingPath: decoder.codingPath, debugDescription: "an anthropic provider needs a model"))
        }
        model = try container.decode(.model, or: defaults.model)
        // Absent: the kind's usual variable. Null or empty: no key at all (a local server speaking Anthropic's API).
        if container.contains(.apiKeyEnvironmentVariable) {
            let variable = try container.decodeIfPresent(String.self, forKey: .apiKeyEnvironmentVariable)
            apiKeyEnvironmentVariable = variable?.isEmpty == false ? variable : nil
        } else {
            apiKeyEnvironmentVariable = isAnthropic ? "ANTHROPIC_API_KEY" : nil
        }
        maxTokens = try container.decode(.maxTokens, or: defaults.maxTokens)
        timeoutSeconds = try container.decode(.timeoutSeconds, or: defaults.timeoutSeconds)
        connectTimeoutSeconds = try container.decode(.connectTimeoutSeconds, or: defaults.connectTimeoutSeconds)
        maxRetries = try container.decode(.maxRetries, or: defaults.maxRetries)
        sampling = try container.decode(.sampling, or: defaults.sampling)
        prefill = try container.decode(.prefill, or: defaults.prefill)
        promptCache = try container.decode(.promptCache, or: defaults.promptCache)
        inputPricePerMillion = try container.decode(.inputPricePerMillion, or: 0)
        outputPricePerMillion = try container.decode(.outputPricePerMillion, or: 0)
        cachedInputPricePerMillion = try container.decode(.cachedInputPricePerMillion, or: nil as Double?)
    }
}

extension ProviderKind: Decodable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let kind = ProviderKind(rawValue: text) else {
            let allowed = ProviderKind.allCases.map(\.rawValue).joined(separator: " or ")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "\(YAMLDecoder.path(decoder.codingPath)): unknown provider kind '\(text)'; use \(allowed)"))
        }
        self = kind
    }
}

extension GenerationSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case temperatures, ladder
        case maxAttempts = "max_attempts"
        case systemPrompt = "system_prompt"
        case maxCodeBytes = "max_code_bytes"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        if container.contains(.ladder), container.contains(.temperatures) {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [CodingKeys.temperatures],
                    debugDescription:
                        "generation: use either ladder (each step has its temperature) or temperatures (the older "
                        + "loop that repairs every failure), not both"))
        }
        if let temperatures = try container.decodeIfPresent([Double].self, forKey: .temperatures) {
            self.temperatures = temperatures
            ladder = Self.repairLadder(temperatures: temperatures)
            maxAttempts = 4
        } else if let ladder = try container.decodeIfPresent([LadderStep].self, forKey: .ladder) {
            self.ladder = ladder
            // Saturating: the checks refuse a step's candidates beyond 8; the sum must not trap before they can.
            maxAttempts = ladder.reduce(0) {
                $0.addingReportingOverflow($1.candidates).overflow ? .max : $0 + $1.candidates
            }
        }
        maxAttempts = try container.decode(.maxAttempts, or: maxAttempts)
        systemPrompt = try container.decodeIfPresent(String.self, forKey: .systemPrompt)
        maxCodeBytes = try container.decode(.maxCodeBytes, or: maxCodeBytes)
    }
}

extension LadderStep: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, temperature, candidates, prompt
        case repairOn = "repair_on"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let here = YAMLDecoder.path(decoder.codingPath)
        func named<T: RawRepresentable & CaseIterable>(_ key: CodingKeys, _ fallback: T?) throws -> T
        where T.RawValue == String {
            guard container.contains(key) || fallback == nil else { return fallback! }
            let text = try container.decode(String.self, forKey: key)
            guard let value = T(rawValue: text) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath + [key],
                        debugDescription: "\(here).\(key.rawValue): unknown value '\(text)'; use one of \(allowed)"))
            }
            return value
        }
        kind = try named(.kind, nil as Kind?)
        temperature = try container.decode(.temperature, or: 0.8)
        candidates = try container.decode(.candidates, or: 1)
        prompt = try named(.prompt, PromptStyle.full)
        if let names = try container.decodeIfPresent([String].self, forKey: .repairOn) {
            var kinds = Set<FailureKind>()
            for name in names {
                if name == "any" {
                    kinds.formUnion(FailureKind.allCases)
                } else if let kind = FailureKind(rawValue: name) {
                    kinds.insert(kind)
                } else {
                    let allowed = (["any"] + FailureKind.allCases.map(\.rawValue)).joined(separator: ", ")
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: decoder.codingPath + [CodingKeys.repairOn],
                            debugDescription: "\(here).repair_on: unknown failure '\(name)'; use any of \(allowed)"))
                }
            }
            repairOn = kinds
        } else {
            repairOn = Self.repairableByDefault
        }
    }
}

extension ExecutionSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxWorkers = "max_workers"
        case requestsPerMinute = "requests_per_minute"
        case outputTokensPerMinute = "output_tokens_per_minute"
        case maxRequests = "max_requests"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ExecutionSettings()
        maxWorkers = try container.decode(.maxWorkers, or: defaults.maxWorkers)
        requestsPerMinute = try container.decode(.requestsPerMinute, or: defaults.requestsPerMinute)
        outputTokensPerMinute = try container.decode(.outputTokensPerMinute, or: defaults.outputTokensPerMinute)
        maxRequests = try container.decode(.maxRequests, or: defaults.maxRequests)
    }
}

extension ValidationSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case isolation, commands, concurrency, require
        case warmPython = "warm_python"
        case timeoutSeconds = "timeout_s"
        case memoryMB = "memory_mb"
        case maxProcesses = "max_processes"
        case scratchMB = "scratch_mb"
        case runTests = "run_tests"
        case nice
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ValidationSettings()
        timeoutSeconds = try container.decode(.timeoutSeconds, or: defaults.timeoutSeconds)
        memoryMB = try container.decode(.memoryMB, or: defaults.memoryMB)
        maxProcesses = try container.decode(.maxProcesses, or: defaults.maxProcesses)
        scratchMB = try container.decode(.scratchMB, or: defaults.scratchMB)
        nice = try container.decode(.nice, or: defaults.nice)
        runTests = try container.decode(.runTests, or: defaults.runTests)
        concurrency = try container.decode(.concurrency, or: defaults.concurrency)
        warmPython = try container.decode(.warmPython, or: defaults.warmPython)
        commands = try container.decode(.commands, or: defaults.commands)
        isolation = try container.decodeChoice(
            .isolation, or: defaults.isolation, named: "validation.isolation", as: "isolation", at: decoder.codingPath)
        require = try container.decodeChoice(
            .require, or: defaults.require, named: "validation.require", as: "evidence level", at: decoder.codingPath)
    }
}

extension KeyedDecodingContainer {
    /// One of a fixed set of names (an enum's raw values) under `key`, or `fallback`; an unknown name is an error
    /// that lists the allowed ones: `validation.isolation: unknown isolation 'x'; use one of auto, bubblewrap, …`.
    func decodeChoice<Choice: RawRepresentable & CaseIterable>(
        _ key: Key, or fallback: Choice, named setting: String, as kind: String, at path: [any CodingKey]
    ) throws -> Choice where Choice.RawValue == String {
        let name = try decode(key, or: fallback.rawValue)
        guard let choice = Choice(rawValue: name) else {
            let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: path + [key],
                    debugDescription: "\(setting): unknown \(kind) '\(name)'; use one of \(allowed)"))
        }
        return choice
    }
}

extension CommandSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, run, languages
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        // `run` is a list of arguments, or one string split at spaces.
        if let line = try? container.decode(String.self, forKey: .run) {
            run = line.split(separator: " ").map(String.init)
        } else {
            run = try container.decode([String].self, forKey: .run)
        }
        languages = try container.decode(.languages, or: [])
    }
}

extension PathSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case inbox, outbox, inotify
        case pollIntervalSeconds = "poll_interval_s"
        case sweepIntervalSeconds = "sweep_interval_s"
        case emptyGraceSeconds = "empty_grace_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PathSettings()
        inbox = try container.decode(.inbox, or: defaults.inbox)
        outbox = try container.decode(.outbox, or: defaults.outbox)
        inotify = try container.decode(.inotify, or: defaults.inotify)
        pollIntervalSeconds = try container.decodeIfPresent(Double.self, forKey: .pollIntervalSeconds)
        sweepIntervalSeconds = try container.decode(.sweepIntervalSeconds, or: defaults.sweepIntervalSeconds)
        emptyGraceSeconds = try container.decode(.emptyGraceSeconds, or: defaults.emptyGraceSeconds)
    }
}

extension BudgetSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case tokensPerPlan = "tokens_per_plan"
        case costPerPlan = "cost_per_plan"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tokensPerPlan = try container.decode(.tokensPerPlan, or: BudgetSettings().tokensPerPlan)
        costPerPlan = try container.decode(.costPerPlan, or: BudgetSettings().costPerPlan)
    }
}

extension SuiteSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case rounds
        case timeoutSeconds = "timeout_s"
        case testTimeoutSeconds = "test_timeout_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rounds = try container.decode(.rounds, or: SuiteSettings().rounds)
        timeoutSeconds = try container.decode(.timeoutSeconds, or: SuiteSettings().timeoutSeconds)
        // Left out, a test's limit is never above the whole run's.
        testTimeoutSeconds = try container.decode(
            .testTimeoutSeconds, or: min(SuiteSettings().testTimeoutSeconds, timeoutSeconds))
    }
}

extension MetricsSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case textfile
        case intervalSeconds = "interval_s"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = MetricsSettings()
        textfile = try container.decode(.textfile, or: defaults.textfile)
        intervalSeconds = try container.decode(.intervalSeconds, or: defaults.intervalSeconds)
    }
}

extension ServerSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case command, arguments, port, restart
        case readyURL = "ready_url"
        case startupTimeoutSeconds = "startup_timeout_s"
        case requiredFiles = "required_files"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        command = try container.decode(String.self, forKey: .command)
        port = try container.decode(Int.self, forKey: .port)
        arguments = try container.decode(.arguments, or: [])
        readyURL = try container.decodeIfPresent(String.self, forKey: .readyURL)
        startupTimeoutSeconds = try container.decode(.startupTimeoutSeconds, or: 120)
        requiredFiles = try container.decode(.requiredFiles, or: [])
        restart = try container.decode(.restart, or: true)
    }
}
