/// Everything `pipeline.yaml` can say, with the defaults a fresh checkout runs on.
///
/// The key names are a contract: scripts and pipelines write these files, so keys are only ever added.
/// Unknown keys are refused with their name, because a typo such as `max_worker: 2` that silently keeps the
/// default is worse than an error.
public struct PipelineConfig: Sendable, Equatable {
    public var provider = ProviderSettings()
    public var generation = GenerationSettings()
    public var execution = ExecutionSettings()
    public var validation = ValidationSettings()
    public var evidence = EvidenceSettings()
    public var paths = PathSettings()
    public var budget = BudgetSettings()
    public var suite = SuiteSettings()
    public var metrics = MetricsSettings()
    /// A local model server AtomForge starts and stops itself (the embedded default); nil for a remote provider.
    public var server: ServerSettings?
    /// The second, stronger model that `escalate` steps of the ladder send to; nil when none is configured.
    public var escalation: EscalationSettings?
    /// The folder of the file this came from; relative paths in it are relative to this folder.
    public var directory = "."
    /// The file this came from, as an absolute path, and its text: what a run folder remembers (``RunRecord``).
    public var file: String?
    public var text: String?

    public init() {}
}

/// Which model to call, where, and how patiently.
public struct ProviderSettings: Sendable, Equatable {
    public var kind: ProviderKind = .openai
    /// As the official SDKs take it: OpenAI-compatible URLs end in `/v1`; Anthropic's is the host root.
    public var baseURL = "http://127.0.0.1:8089/v1"
    public var model = "qwen2.5-coder-0.5b-instruct"
    /// The environment variable holding the API key; the key itself never appears in a file AtomForge reads or writes.
    public var apiKeyEnvironmentVariable: String?
    /// The ceiling on tokens per reply; an atom's own estimate may ask for less.
    public var maxTokens = 1024
    /// Wall-clock limit of one HTTP request, reply included.
    public var timeoutSeconds = 120.0
    public var connectTimeoutSeconds = 10.0
    /// Transport retries of one call (408, 409, 429, 5xx, timeouts, refused connections); never generation attempts.
    public var maxRetries = 4
    /// False for models that reject sampling parameters: temperature is then never sent.
    public var sampling = true
    /// Start the model's reply with the opening code fence (a trailing assistant message the server continues) and
    /// stop it at the closing fence: the reply is the code alone, with no preamble or explanation to pay for.
    /// llama.cpp's server and Anthropic's API continue such a message; OpenAI's own API does not.
    public var prefill = false
    /// Mark the stable start of each prompt (the system prompt, the atom, its dependencies' code, its tests) for the
    /// provider's prompt cache where the API takes markers (Anthropic's `cache_control`), so that the later attempts
    /// and candidates of an atom read it from the cache; only a prefix long enough to be cached is marked.
    public var promptCache = true
    /// US dollars per million input tokens, for the cost line of summaries; 0: the built-in price of the model
    /// (``ModelPrice/table``), if it has one.
    public var inputPricePerMillion = 0.0
    /// US dollars per million output tokens.
    public var outputPricePerMillion = 0.0
    /// US dollars per million input tokens read from the prompt cache; nil: as the table or the API prices them.
    public var cachedInputPricePerMillion: Double?

    public init() {}
}

/// The two wire protocols AtomForge speaks.
public enum ProviderKind: String, Sendable, Equatable, CaseIterable {
    /// Anthropic's Messages API (`POST /v1/messages`).
    case anthropic
    /// OpenAI's Chat Completions API (`POST /chat/completions`): also vLLM, llama.cpp, Ollama and LM Studio.
    case openai
}

/// How many times to ask the model for an atom, and how: the ladder of attempt kinds (see ``LadderStep``).
public struct GenerationSettings: Sendable, Equatable {
    /// Model calls per atom that produce code, the first one and every candidate included.
    public var maxAttempts: Int
    /// The steps in order; the last one repeats until ``maxAttempts`` calls are made.
    public var ladder: [LadderStep]
    /// Set only by the older form of the settings (`generation.temperatures`): the repair-every-retry loop.
    public var temperatures: [Double]?
    /// The system prompt of `full` prompts, in place of the built-in one (``PromptBuilder/defaultSystemPrompt``):
    /// `{language}` and `{fence}` stand for the atom's language and its code fence's tag; empty sends none.
    public var systemPrompt: String?
    /// The most code, in bytes, AtomForge takes from one reply (see ``CodeSizeLimit``): longer code fails the
    /// attempt unvalidated, and only its beginning is kept.
    public var maxCodeBytes = 65_536

    public init() {
        ladder = Self.defaultLadder
        maxAttempts = ladder.reduce(0) { $0 + $1.candidates }
    }
}

/// How much work runs at once.
public struct ExecutionSettings: Sendable, Equatable {
    /// Atoms at the model at once, across every plan of the process. An atom whose reply is being validated holds a
    /// validation slot instead, so atoms in flight are this plus the validation slots.
    public var maxWorkers = 8
    /// Requests per minute across the process; 0 means no limit.
    public var requestsPerMinute = 0
    /// Output tokens per minute across the process, charged with `max_tokens` when a request starts; 0 = no limit.
    public var outputTokensPerMinute = 0
    /// Model requests in flight at once across the process (a step's candidates included); 0 = `max_workers`.
    /// A local server has a fixed number of slots: more requests than slots only queue inside it.
    public var maxRequests = 0

    /// The bound on requests in flight that ``maxRequests`` means.
    public var requestSlots: Int { maxRequests > 0 ? maxRequests : maxWorkers }

    public init() {}
}

/// The checks every attempt goes through, and the limits of the sandbox that runs them.
public struct ValidationSettings: Sendable, Equatable {
    /// Wall-clock limit of one validator run on one attempt.
    public var timeoutSeconds = 30.0
    /// Data-size limit of a validator run, in MiB.
    public var memoryMB = 2048
    /// Processes and threads a validator run may have at once (enforced when AtomForge runs as root, by running
    /// the code as an unprivileged user).
    public var maxProcesses = 256
    /// What a validator run may write in its scratch folder, in MiB (bubblewrap: the size of its tmpfs).
    public var scratchMB = 256
    /// The niceness validator runs get (0 to 19): on a busy machine the managed model server, at the default 0,
    /// keeps its share of the CPU (a validator beside it at the same priority cut its tokens per second by 5x).
    public var nice = 10
    /// `auto` (the strongest available), `bubblewrap`, `unshare` or `none`.
    public var isolation = IsolationLevel.auto
    /// Run each atom's `tests` with its code and its dependencies' code in scope.
    public var runTests = true
    /// Validator runs at once across the process; 0 means one per core.
    public var concurrency = 0
    /// Python without an interpreter's start-up per check: the unit extraction and the syntax check in one
    /// long-lived sandboxed `python3` (``WarmParser``), and under bubblewrap as root each test run forked, in
    /// namespaces of its own, from another (``WarmRunner``). False: a fresh sandbox and `python3` for each.
    public var warmPython = true
    /// Programs run on each attempt's file; non-zero exit fails the attempt.
    public var commands: [CommandSettings] = []
    /// The least evidence an atom may pass on (``EvidenceLevel``): one that passes its checks on less fails with
    /// that reason and goes to review. `parsed` (the default) accepts whatever passed.
    public var require = EvidenceLevel.parsed

    public init() {}
}

/// A `validation.commands` entry: any program run on the atom's file.
public struct CommandSettings: Sendable, Equatable {
    /// A short name for reports.
    public var name: String
    /// The command line; `{file}` is replaced by the file holding the atom's code (dependencies first).
    public var run: [String]
    /// The languages it applies to; empty means all.
    public var languages: [String] = []

    public init(name: String, run: [String], languages: [String] = []) {
        self.name = name
        self.run = run
        self.languages = languages
    }
}

/// Where plans arrive and results go; relative paths are relative to the config file's folder.
public struct PathSettings: Sendable, Equatable {
    public var inbox = "inbox"
    public var outbox = "outbox"
    /// Whether `watch` asks inotify about the inbox (false: it only rescans, every ``pollIntervalSeconds``).
    public var inotify = true
    /// Seconds between two rescans of the inbox; nil: ``InboxWatch/defaultPollInterval`` where inotify is blind
    /// (network and FUSE file systems, where other hosts' files raise no event), none elsewhere.
    public var pollIntervalSeconds: Double?
    /// Seconds between two looks through the outbox for unfinished runs nobody holds (a dead host's, or one
    /// killed): `watch` resumes them. 0: only at start.
    public var sweepIntervalSeconds = 30.0
    /// Seconds an empty file may stay empty in the inbox (its producer has not written it yet) before it is
    /// rejected; it is looked at again at each sweep.
    public var emptyGraceSeconds = 60.0

    public init() {}
}

/// How a plan's own suite (`suite:` in the plan, docs/suite.md) drives the atoms it finds failing.
public struct SuiteSettings: Sendable, Equatable {
    /// Rounds in which the atoms a failing test implicates go through their ladder again, with the test as feedback
    /// and as a check; 0: the suite only judges. The plan's token budget bounds them too.
    public var rounds = 2
    /// The wall-clock limit of one run of the suite, all its tests together (seconds).
    public var timeoutSeconds = 300.0
    /// The limit of one test (seconds): a test that runs longer fails with that said, and the others still run.
    public var testTimeoutSeconds = 10.0

    public init() {}
}

/// Caps that stop a plan cleanly (exit 3) instead of letting it spend without end.
public struct BudgetSettings: Sendable, Equatable {
    /// Input and output tokens one plan may use, checked before each model call; 0 means no cap.
    public var tokensPerPlan = 0
    /// US dollars one plan may spend, priced as the summary prices its tokens (the configured or list prices);
    /// checked before each call at the call's worst case; 0 means no cap.
    public var costPerPlan = 0.0

    public init() {}
}

/// Metrics for Prometheus, written as a node_exporter textfile-collector file (`docs/metrics.md`).
public struct MetricsSettings: Sendable, Equatable {
    /// The file to write, relative to the config file's folder; ending in `.prom`. Empty: no metrics.
    public var textfile = ""
    /// Seconds between two writes (and one more as the command ends).
    public var intervalSeconds = 15.0

    public init() {}
}

/// The model `escalate` steps use, and the server AtomForge starts for it if it is local.
public struct EscalationSettings: Sendable, Equatable {
    public var provider: ProviderSettings
    public var server: ServerSettings?

    public init(provider: ProviderSettings, server: ServerSettings? = nil) {
        self.provider = provider
        self.server = server
    }
}

/// A model server AtomForge starts when it needs the provider, waits for, restarts if it dies, and stops on exit:
/// llama.cpp's `llama-server` by default, or `vllm serve`, `ollama serve`…
public struct ServerSettings: Sendable, Equatable {
    /// The program; a relative path is relative to the config file's folder.
    public var command: String
    /// Its arguments; `{port}` becomes ``port``, and relative paths of files listed in ``requiredFiles`` are resolved.
    public var arguments: [String] = []
    public var port: Int
    /// Polled until it answers 200; default `http://127.0.0.1:{port}/health`.
    public var readyURL: String?
    public var startupTimeoutSeconds = 120.0
    /// Files that must exist before starting (the model weights): a clear error instead of a server that dies.
    public var requiredFiles: [String] = []
    /// Restart the server when it dies while AtomForge runs.
    public var restart = true

    public init(command: String, port: Int) {
        self.command = command
        self.port = port
    }
}
