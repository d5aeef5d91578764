/// One rung of the generation ladder: what kind of model calls to make next for an atom that has not passed yet.
///
/// Why a ladder and not "retry with the errors" every time: a small model shown its own failed code mostly returns
/// it again, while an independent sample at a higher temperature, picked by the tests, often passes. Repair pays
/// where the error points at the fix (a syntax, name, import or type error, a reply cut off), so a `repair` step
/// repairs only those and otherwise draws a fresh sample. `escalate` hands the atom to a second, stronger model.
public struct LadderStep: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// An independent sample from the original prompt: no failed history, a seed of its own.
        case sample
        /// The previous code and what failed in it, when the failure is one of ``LadderStep/repairOn``; else a sample.
        case repair
        /// Like `repair`, but sent to the `escalation` provider (a stronger model).
        case escalate
    }

    /// What the first prompt of an atom shows.
    public enum PromptStyle: String, Sendable, Equatable, CaseIterable {
        /// The atom with its facts, its dependencies' code and its tests.
        case full
        /// The description and the name only, no tests: the baseline a plain prompt gives.
        case plain
    }

    public var kind: Kind
    public var temperature: Double
    /// Model calls made at once for this step; each is validated, and the lowest-numbered one that passes wins.
    public var candidates: Int
    /// The failures a `repair` or `escalate` step repairs; any other failure gets a fresh sample.
    public var repairOn: Set<FailureKind>
    public var prompt: PromptStyle

    /// Where repair pays with small models: the error message names what to change.
    public static let repairableByDefault: Set<FailureKind> = [.syntax, .compile, .name, .import, .type, .truncated]

    public init(
        _ kind: Kind, temperature: Double, candidates: Int = 1, repairOn: Set<FailureKind> = repairableByDefault,
        prompt: PromptStyle = .full
    ) {
        self.kind = kind
        self.temperature = temperature
        self.candidates = candidates
        self.repairOn = repairOn
        self.prompt = prompt
    }
}

/// What made an attempt fail, as far as choosing the next step goes.
public enum FailureKind: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    /// The parser rejected the code.
    case syntax
    /// A compiler rejected the program with the tests (Swift, TypeScript).
    case compile
    /// A name that is not defined (`NameError`, "cannot find 'x' in scope").
    case name
    /// A module or name that cannot be imported.
    case `import`
    /// A call with the wrong number or types of arguments.
    case type
    /// The reply was cut off at `max_tokens`.
    case truncated
    /// The code was longer than an atom may be (``CodeSizeLimit``): not validated.
    case tooLong = "too_long"
    /// A test's assertion did not hold.
    case assertion
    /// Any other exception while the tests ran.
    case exception
    /// The tests did not finish in time.
    case timeout
    /// The program ended before its tests ran to their end (`sys.exit`, `os._exit`, `process.exit`).
    case exited
    /// A configured command or another validator failed.
    case other
}

extension GenerationSettings {
    /// The default ladder, chosen on the quality benchmark (`scripts/bench --quality`, see BENCHMARKS.md): a
    /// near-greedy first answer, then independent samples two at a time at rising temperatures. Repair is not in
    /// it: with the embedded 0.5B model no repair passed, even of syntax, name and type errors, and three in four
    /// returned code that had already failed; samples fixed over a third of the failures.
    public static let defaultLadder: [LadderStep] = [
        LadderStep(.sample, temperature: 0.2),
        LadderStep(.sample, temperature: 0.8, candidates: 2),
        LadderStep(.sample, temperature: 0.9, candidates: 2),
        LadderStep(.sample, temperature: 1.0, candidates: 2),
    ]

    /// The ladder that `generation.temperatures` describes: the first attempt, then a repair of every failure at each
    /// next temperature (AtomForge's loop before the ladder existed; kept for configs that set `temperatures`).
    public static func repairLadder(temperatures: [Double]) -> [LadderStep] {
        let all = Set(FailureKind.allCases)
        return temperatures.enumerated().map { index, temperature in
            index == 0
                ? LadderStep(.sample, temperature: temperature)
                : LadderStep(.repair, temperature: temperature, repairOn: all)
        }
    }

    /// The steps an atom goes through: the ladder, its last step repeated until `max_attempts` model calls, the last
    /// step's candidates cut so that the total never exceeds `max_attempts`.
    public var plannedSteps: [LadderStep] {
        guard let last = ladder.last else { return [] }
        var steps: [LadderStep] = []
        var calls = 0
        var index = 0
        while calls < maxAttempts {
            var step = index < ladder.count ? ladder[index] : last
            step.candidates = min(step.candidates, maxAttempts - calls)
            steps.append(step)
            calls += step.candidates
            index += 1
        }
        return steps
    }

    /// Whether any step sends to the `escalation` provider.
    public var escalates: Bool { ladder.contains { $0.kind == .escalate } }
}
