import AtomForgeModel
import AtomForgeSystem
import CoreMetrics
import RegexBuilder

/// What a validator gets to look at: the attempt's code, the atom it is for, and the code it builds on.
public struct ValidationSubject: Sendable {
    public var atom: Atom
    public var code: String
    /// The passed code of the atom's dependencies, transitively, in dependency order.
    public var dependencyCode: [String]
    /// The import lines the dependencies' code needs (their plan `imports`), which a program holding that code
    /// must start with.
    public var dependencyImports: [String]

    /// For a method: its class with the method in place (``ClassScope/program(placing:for:)``), which the syntax
    /// check and the tests run instead of ``code`` alone; nil for every other atom.
    public var enclosing: EnclosingCode?

    /// Checks read from the atom's description (``DescriptionExamples``), run after the plan's tests like them.
    public var checks: String

    /// The names the plan's other atoms define: a name the code uses that only a later atom defines (a base class
    /// making its subclass, two functions calling each other) is no name missing.
    public var knownNames: [String] = []

    public init(
        atom: Atom, code: String, dependencyCode: [String], dependencyImports: [String] = [],
        enclosing: EnclosingCode? = nil, checks: String = "", knownNames: [String] = []
    ) {
        self.knownNames = knownNames
        self.atom = atom
        self.code = code
        self.dependencyCode = dependencyCode
        self.dependencyImports = dependencyImports
        self.enclosing = enclosing
        self.checks = checks
    }

    /// The plan's tests and the description's checks, as one test text; empty when there are neither.
    public var tests: String {
        let own = atom.hasTests ? atom.tests ?? "" : ""
        guard !checks.isEmpty else { return own }
        return own.isEmpty ? checks : own + (own.hasSuffix("\n") ? "" : "\n") + checks
    }

    /// What the syntax check and the tests run: the class around a method, or the code itself.
    public var runnableCode: String { enclosing?.text ?? code }

    /// The lines of ``runnableCode`` that are the atom's own (1-based, end exclusive).
    public var unitLines: Range<Int> {
        enclosing?.unit ?? 1..<(code.count(of: "\n") + 2)
    }

    /// The atom's imports and its dependencies', each once, for the top of a program.
    public var allImports: [String] {
        var seen = Set<String>()
        return (dependencyImports + atom.imports).filter { seen.insert($0).inserted }
    }
}

/// A method in its class: the class's text and the method's lines in it (1-based, end exclusive).
public struct EnclosingCode: Sendable, Equatable {
    public var text: String
    public var unit: Range<Int>
    /// How many lines of the atom's code come before its first line in ``text``: its import lines and the blank
    /// after them, hoisted above the class. A place in the method is told as a line of the code as written.
    public var unitOffset: Int

    public init(text: String, unit: Range<Int>, unitOffset: Int = 0) {
        self.text = text
        self.unit = unit
        self.unitOffset = unitOffset
    }

    /// A tool's `file:LINE` (or `tsc`'s `file(LINE,`) places in `output` told as the method's own lines
    /// (`file:3`), or as the class's (`file:12 (in the class around it)`) for a line outside the method.
    func describingLines(in output: String, file: String) -> String {
        let pattern = Regex<(Substring, Substring, Substring)> {
            file
            Capture {
                ChoiceOf {
                    ":"; "("
                }
            }
            Capture { OneOrMore(.digit) }
        }
        return output.replacing(pattern) { match in
            guard let line = Int(match.output.2) else { return String(match.output.0) }
            let separator = match.output.1
            return unit.contains(line)
                ? "\(file)\(separator)\(line - unit.lowerBound + 1 + unitOffset)"
                : "\(file)\(separator)\(line) (in the class around it)"
        }
    }
}

/// Checks generated code. Implementations run real tools in child processes; the engine sees only issues.
public protocol Validator: Sendable {
    /// A short name for reports (`python-syntax`, `structure`).
    var name: String { get }
    /// Whether this validator has anything to say about `atom` (e.g. its language).
    func applies(to atom: Atom) -> Bool
    func validate(_ subject: ValidationSubject) async -> [ValidationIssue]
    /// What the model must know of this check to meet it, said in the prompt of every candidate for `atom` (as an
    /// atom's own tests are); nil for a check the task itself already says.
    func promptNote(for atom: Atom) -> String?
}

extension Validator {
    public func promptNote(for atom: Atom) -> String? { nil }
}

/// Validators run in order; a critical issue stops the chain, since later checks of broken code only add noise.
public struct ValidatorChain: Sendable {
    public var validators: [any Validator]
    /// How the code these validators run is contained, as each attempt's report states it.
    public var isolation: String

    public init(_ validators: [any Validator], isolation: String = "none: no code is run") {
        self.validators = validators
        self.isolation = isolation
    }

    /// What the validators that apply to `atom` ask the prompt to say of their checks.
    public func promptNotes(for atom: Atom) -> [String] {
        validators.filter { $0.applies(to: atom) }.compactMap { $0.promptNote(for: atom) }
    }

    /// Whether the code of `atom` is run (its tests, its checks, or at least loaded) by one of these validators.
    public func runs(_ atom: Atom) -> Bool {
        validators.contains { ($0 as? AtomTestValidator)?.runs(atom) == true }
    }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        let start = ContinuousClock.now
        defer {
            let took = ContinuousClock.now - start
            EngineMetrics.validationDuration.record(took)
        }
        var issues: [ValidationIssue] = []
        for validator in validators where validator.applies(to: subject.atom) {
            let found = await validator.validate(subject)
            issues += found
            // Tests of code that does not even parse only repeat the parser's complaint.
            if found.contains(where: { $0.severity == .critical || ($0.severity.fails && validator is SyntaxValidator) }
            ) {
                break
            }
        }
        return issues
    }
}
