import Foundation

extension PipelineConfig {
    /// One impossible value: where it is (a key path such as `execution.max_workers`) and what is allowed.
    public struct Problem: Sendable, Equatable {
        public var keyPath: [String]
        public var message: String
    }

    /// Problems gathered one condition at a time.
    struct ProblemList {
        var problems: [Problem] = []

        /// Records `message` at `keyPath` (`execution.max_workers`) unless `condition` holds.
        mutating func require(_ condition: Bool, _ keyPath: String, _ message: String) {
            if !condition {
                problems.append(Problem(keyPath: keyPath.split(separator: ".").map(String.init), message: message))
            }
        }

        /// Records a problem unless `value` is within `range`: every count a setting gives is bounded at load, so
        /// that no arithmetic on it can overflow and no limit wraps into no limit.
        mutating func require(_ value: Int, in range: ClosedRange<Int>, _ keyPath: String, _ meaning: String = "") {
            require(
                range.contains(value), keyPath,
                "must be from \(range.lowerBound)\(meaning) to \(range.upperBound) (found \(value))")
        }

        /// Records a problem unless `seconds` is a number of seconds above 0 and at most `limit` (a day by default):
        /// a duration beyond that would overflow the clocks it is turned into, and one of 0 or less means nothing.
        mutating func requireSeconds(
            _ seconds: Double, _ keyPath: String, atLeast minimum: Double = 0.001,
            atMost limit: Double = 86_400
        ) {
            require(
                seconds >= minimum && seconds <= limit, keyPath,
                "must be from \(Self.shown(minimum)) to \(Self.shown(limit)) seconds (found \(seconds))")
        }

        static func shown(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
    }

    /// Every value that cannot work, each with what is allowed instead; empty when the config is usable.
    public func problems() -> [Problem] {
        var found = ProblemList()
        found.problems += Self.problems(of: provider, at: "provider")
        found.require(
            generation.maxAttempts >= 1, "generation.max_attempts",
            "must be at least 1: the first attempt counts (found \(generation.maxAttempts))")
        if let temperatures = generation.temperatures {
            found.require(
                !temperatures.isEmpty, "generation.temperatures",
                "must list at least one temperature, e.g. [0.7, 0.5]; the last one repeats")
        } else {
            found.require(
                !generation.ladder.isEmpty, "generation.ladder",
                "must list at least one step, e.g. [{kind: sample, temperature: 0.2}]")
        }
        for (index, step) in generation.ladder.enumerated() {
            let key = generation.temperatures == nil ? "generation.ladder[\(index)]" : "generation.temperatures"
            found.require(
                (0...2).contains(step.temperature), key + (generation.temperatures == nil ? ".temperature" : ""),
                "each temperature must be from 0 to 2 (found \(step.temperature))")
            found.require(
                (1...8).contains(step.candidates), key + ".candidates",
                "must be from 1 to 8 model calls at once (found \(step.candidates))")
            if step.prompt == .plain {
                found.require(
                    step.kind == .sample, key + ".prompt",
                    "plain is for sample steps only: a plain prompt carries no failed code to repair")
            }
            if step.kind == .escalate {
                found.require(
                    escalation != nil, key + ".kind",
                    "is escalate, but no escalation provider is configured: add an escalation: section with a provider")
            }
        }
        found.require(
            generation.maxAttempts <= 64, "generation.max_attempts",
            "must be at most 64 model calls per atom (found \(generation.maxAttempts))")
        found.require(generation.maxCodeBytes, in: 256...16 << 20, "generation.max_code_bytes")
        found.require(execution.maxRequests, in: 0...1024, "execution.max_requests", " (as many as max_workers)")
        if let escalation {
            // The escalation model is held to the same limits as the first: it is called the same way.
            found.problems += Self.problems(of: escalation.provider, at: "escalation.provider")
            if let server = escalation.server {
                found.problems += Self.problems(of: server, at: "escalation.server")
                found.require(
                    server.port != self.server?.port, "escalation.server.port",
                    "must differ from server.port (\(server.port)): the two servers cannot share a port")
            }
        }
        found.require(execution.maxWorkers, in: 1...1024, "execution.max_workers")
        found.require(execution.requestsPerMinute, in: 0...1_000_000, "execution.requests_per_minute", " (no limit)")
        found.require(
            execution.outputTokensPerMinute, in: 0...1_000_000_000, "execution.output_tokens_per_minute", " (no limit)")
        found.requireSeconds(validation.timeoutSeconds, "validation.timeout_s")
        found.require(
            (0...10).contains(suite.rounds), "suite.rounds",
            "must be from 0 (the suite only judges) to 10 (found \(suite.rounds))")
        found.require(
            suite.timeoutSeconds >= 1 && suite.timeoutSeconds <= 86_400, "suite.timeout_s",
            "must be from 1 to 86400 seconds (found \(suite.timeoutSeconds))")
        found.require(
            suite.testTimeoutSeconds >= 0.1 && suite.testTimeoutSeconds <= suite.timeoutSeconds, "suite.test_timeout_s",
            "must be from 0.1 seconds to suite.timeout_s (found \(suite.testTimeoutSeconds))")
        found.require(budget.tokensPerPlan, in: 0...1_000_000_000_000, "budget.tokens_per_plan", " (no cap)")
        found.require(
            budget.costPerPlan >= 0 && budget.costPerPlan <= 1_000_000, "budget.cost_per_plan",
            "must be from 0 (no cap) to 1000000 US dollars (found \(budget.costPerPlan))")
        found.require(
            budget.costPerPlan == 0 || provider.price != nil, "budget.cost_per_plan",
            "needs the model's price, and none is known for \(provider.model): set provider.input_price_per_million "
                + "and output_price_per_million (US dollars; 0 and 0 for a free local model)")
        // A cap one call's output could pass on its own would stop every plan before its first call.
        if budget.costPerPlan > 0, let callCost = provider.cost(of: TokenUsage(output: provider.maxTokens)) {
            found.require(
                callCost <= budget.costPerPlan, "budget.cost_per_plan",
                "(\(budget.costPerPlan) US dollars) is less than one call may cost (\(provider.maxTokens) output "
                    + "tokens, provider.max_tokens, at the output price: \(callCost)): raise it, or lower max_tokens")
        }
        // Within what setrlimit, a tmpfs size and the process table take without wrapping into no limit at all.
        found.require(validation.memoryMB, in: 64...1 << 20, "validation.memory_mb")
        found.require(validation.scratchMB, in: 8...1 << 20, "validation.scratch_mb")
        found.require(validation.maxProcesses, in: 1...65_536, "validation.max_processes")
        found.require(validation.nice, in: 0...19, "validation.nice")
        found.require(validation.concurrency, in: 0...1024, "validation.concurrency", " (one per core)")
        found.require(
            metrics.textfile.isEmpty || metrics.textfile.hasSuffix(".prom"), "metrics.textfile",
            "must end in .prom, as node_exporter's textfile collector reads only those (found '\(metrics.textfile)')")
        if let poll = paths.pollIntervalSeconds {
            found.require(
                (0.1...3600).contains(poll), "paths.poll_interval_s",
                "must be from 0.1 second to an hour, 3600 (found \(poll)); leave it out for the default")
        }
        found.require(
            paths.sweepIntervalSeconds == 0 || (1...86_400).contains(paths.sweepIntervalSeconds),
            "paths.sweep_interval_s",
            "must be 0 (only at start) or from 1 second to a day, 86400 (found \(paths.sweepIntervalSeconds))")
        found.requireSeconds(paths.emptyGraceSeconds, "paths.empty_grace_s", atLeast: 1)
        found.require(
            (1...86_400).contains(metrics.intervalSeconds), "metrics.interval_s",
            "must be from 1 second to a day, 86400 (found \(metrics.intervalSeconds))")
        found.require(
            (0...8).contains(evidence.agreement.candidates), "evidence.agreement.candidates",
            "must be from 0 (off) to 8 (found \(evidence.agreement.candidates))")
        found.require(
            // Not a range from candidates: a candidates above 16 would make one that traps.
            evidence.agreement.maxCandidates >= evidence.agreement.candidates && evidence.agreement.maxCandidates <= 16,
            "evidence.agreement.max_candidates",
            "must be from evidence.agreement.candidates (\(evidence.agreement.candidates)) to 16 "
                + "(found \(evidence.agreement.maxCandidates))")
        found.require(
            (1...200).contains(evidence.agreement.maxInputs), "evidence.agreement.max_inputs",
            "must be from 1 to 200 (found \(evidence.agreement.maxInputs))")
        for command in validation.commands {
            found.require(!command.run.isEmpty, "validation.commands", "'\(command.name)' needs a program to run")
        }
        if let server {
            found.problems += Self.problems(of: server, at: "server")
            if let problem = Self.portMismatch(server: server, baseURL: provider.baseURL, prefix: "") {
                found.problems.append(problem)
            }
        }
        if let escalation, let server = escalation.server,
            let problem = Self.portMismatch(
                server: server, baseURL: escalation.provider.baseURL, prefix: "escalation.")
        {
            found.problems.append(problem)
        }
        found.require(!paths.inbox.isEmpty, "paths.inbox", "must name a folder")
        found.require(!paths.outbox.isEmpty, "paths.outbox", "must name a folder")
        return found.problems
    }

    /// The limits of a provider section (`provider`, `escalation.provider`), whose key paths start with `key`.
    static func problems(of provider: ProviderSettings, at key: String) -> [Problem] {
        var found = ProblemList()
        let url = provider.baseURL
        found.require(
            url.hasPrefix("http://") || url.hasPrefix("https://"), key + ".base_url",
            "must start with http:// or https:// (found '\(Self.redacted(url))')")
        found.require(!provider.model.isEmpty, key + ".model", "must name a model")
        if let variable = provider.apiKeyEnvironmentVariable {
            found.require(
                !variable.isEmpty && variable.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" },
                key + ".api_key_env",
                "must be the name of an environment variable such as OPENAI_API_KEY, not the key itself")
        }
        found.require(provider.maxTokens, in: 1...10_000_000, key + ".max_tokens")
        found.requireSeconds(provider.timeoutSeconds, key + ".timeout_s")
        found.requireSeconds(provider.connectTimeoutSeconds, key + ".connect_timeout_s")
        found.require(
            (0...20).contains(provider.maxRetries), key + ".max_retries",
            "must be from 0 to 20 (found \(provider.maxRetries))")
        let prices = [
            ("input_price_per_million", provider.inputPricePerMillion),
            ("output_price_per_million", provider.outputPricePerMillion),
            ("cached_input_price_per_million", provider.cachedInputPricePerMillion ?? 0),
        ]
        for (name, price) in prices {
            found.require(
                price >= 0 && price <= 1_000_000, key + "." + name,
                "must be from 0 to 1000000 US dollars per million tokens (found \(price))")
        }
        return found.problems
    }

    /// The limits of a managed server section (`server`, `escalation.server`).
    static func problems(of server: ServerSettings, at key: String) -> [Problem] {
        var found = ProblemList()
        found.require(
            (1...65535).contains(server.port), key + ".port",
            "must be a TCP port from 1 to 65535 (found \(server.port))")
        found.requireSeconds(server.startupTimeoutSeconds, key + ".startup_timeout_s")
        found.require(!server.command.isEmpty, key + ".command", "must name the program that serves the model")
        return found.problems
    }

    /// A managed server that listens on one port while the provider sends its requests to another: every call
    /// would be refused, so it is an error before anything starts.
    static func portMismatch(server: ServerSettings, baseURL: String, prefix: String) -> Problem? {
        guard (1...65535).contains(server.port), let url = URLComponents(string: baseURL), let scheme = url.scheme
        else { return nil }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        guard port != server.port else { return nil }
        return Problem(
            keyPath: [prefix + "server", "port"].joined(separator: ".").split(separator: ".").map(String.init),
            message:
                "is \(server.port), but \(prefix)provider.base_url (\(redacted(baseURL))) sends requests to port "
                + "\(port): the "
                + "server AtomForge starts would never be asked; make them the same")
    }

    /// A URL as an error message may show it: a user and password written into it (`https://user:key@host`) are
    /// replaced by `***`, since a message may end up in a log.
    package static func redacted(_ url: String) -> String {
        let start = url.range(of: "://")?.upperBound ?? url.startIndex
        let authorityEnd = url[start...].firstIndex(of: "/") ?? url.endIndex
        guard let at = url[start..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<start]) + "***" + String(url[at...])
    }
}
