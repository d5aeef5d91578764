import AtomForgeSystem

/// One small unit of code the model writes: a function, a type, a constant.
public struct Atom: Sendable, Equatable, Identifiable {
    /// Unique within the plan; names the atom's folder in the outbox.
    public var id: String
    /// The symbol the generated code must define.
    public var name: String
    /// What the code must do, in the planner's words.
    public var description: String
    /// Where the code goes in the output tree, relative and never escaping it.
    public var file: String
    public var language: Language
    /// Import lines the file needs, hoisted to the top of the assembled file.
    public var imports: [String]
    public var estimatedLOC: Int?
    public var complexity: String?
    /// Ids of the atoms whose code this one builds on.
    public var dependsOn: [String]
    /// Code run with the atom and its dependencies in scope; the atom passes only if it succeeds.
    public var tests: String?
    /// The seed planner's `context.parent_context`, passed to the model as it came when it names no atom.
    public var parentContext: String?
    /// Whether the atom is a free unit, a type or a method (``AtomKind``).
    public var kind: AtomKind
    /// For a method: the id of the type atom it belongs to, in the same file.
    public var parent: String?
    /// Code the plan provides instead of a description to generate (a class skeleton, an existing helper): validated
    /// like generated code, never sent to the model.
    public var providedCode: String?
    /// Where the atom starts in its plan file.
    public var location: SourceLocation?

    public init(
        id: String, name: String, description: String, file: String, language: Language, imports: [String] = [],
        estimatedLOC: Int? = nil, complexity: String? = nil, dependsOn: [String] = [], tests: String? = nil,
        parentContext: String? = nil, kind: AtomKind = .function, parent: String? = nil, providedCode: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.file = file
        self.language = language
        self.imports = imports
        self.estimatedLOC = estimatedLOC
        self.complexity = complexity
        self.dependsOn = dependsOn
        self.tests = tests
        self.parentContext = parentContext
        self.kind = kind
        self.parent = parent
        self.providedCode = providedCode
        self.location = location
    }
}

extension Atom {
    /// Whether the plan gives the atom tests of its own (not only whitespace).
    public var hasTests: Bool { tests?.allSatisfy(\.isWhitespace) == false }

    /// The atoms this one waits for: its `depends_on` and, for a method, its type (whose code it is validated in).
    public var requires: [String] {
        guard let parent, !dependsOn.contains(parent) else { return dependsOn }
        return [parent] + dependsOn
    }
}
