/// A dependency graph of atoms, as read from one plan file.
public struct Plan: Sendable, Equatable {
    /// Names the plan's outbox folder: `[A-Za-z0-9._-]+`.
    public var id: String
    public var description: String?
    public var atoms: [Atom]
    /// The `levels` the file declared, if it did; checked against `depends_on`, never trusted over it.
    public var declaredLevels: [[String]]?
    /// The plan's own test files, run against the assembled tree once the atoms are done (``SuiteRunner``).
    public var suite: [SuiteFile] = []

    public init(id: String, description: String? = nil, atoms: [Atom], declaredLevels: [[String]]? = nil) {
        self.id = id
        self.description = description
        self.atoms = atoms
        self.declaredLevels = declaredLevels
    }
}

extension Plan {
    /// What to tell a person who named an atom the plan does not have: the atoms it does have.
    public func unknownAtom(_ id: String) -> String {
        "plan \(self.id) has no atom \(id); its atoms: \(atoms.map(\.id).joined(separator: ", "))"
    }
}
