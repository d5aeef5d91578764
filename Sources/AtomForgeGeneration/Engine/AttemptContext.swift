import AtomForgeModel

/// What an attempt at an atom may draw on: its dependencies' code and, from the third attempt, more.
public struct AttemptContext: Sendable {
    /// The atom's direct dependencies with their passed code, in plan order.
    public var directDependencies: [(atom: Atom, code: String)]
    /// Every dependency, transitively, in dependency order: richer context for later attempts.
    public var allDependencies: [(atom: Atom, code: String)]
    /// Atoms of the same file that have already passed, other than the dependencies: the nearest eight at most.
    public var siblings: [(atom: Atom, code: String)]
    /// For a method or a class: the class it is part of. The class's code and its methods are then not among the
    /// dependencies above: they are in the class.
    public var classScope: ClassScope?
    /// The atom's place in the queues for model and validation slots: the length of the chain of atoms that wait on
    /// it (the scheduler's own order), so that the critical path is not held up behind atoms nothing waits for.
    public var priority: Int
    /// The names every atom of the plan defines (``ValidationSubject/knownNames``).
    public var planNames: [String] = []

    public init(
        directDependencies: [(atom: Atom, code: String)] = [], allDependencies: [(atom: Atom, code: String)] = [],
        siblings: [(atom: Atom, code: String)] = [], classScope: ClassScope? = nil, priority: Int = 0
    ) {
        self.priority = priority
        self.directDependencies = directDependencies
        self.allDependencies = allDependencies
        self.siblings = siblings
        self.classScope = classScope
    }
}
