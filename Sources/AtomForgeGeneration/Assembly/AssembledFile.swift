import AtomForgeModel

/// A file of the output tree as ``SourceAssembler`` writes it, with where each atom's code and each hoisted import
/// line is in it: what a failure at a line of the file is pinned on.
public struct AssembledFile: Sendable, Equatable {
    /// Its path in the tree (`textkit/normalize.py`).
    public var path: String
    public var language: Language
    public var text: String
    /// The atoms' code in file order.
    public var regions: [Region]
    /// The import lines at the top of the file, each with the atoms that asked for it.
    public var imports: [ImportLine]

    package init(path: String, language: Language, text: String, regions: [Region], imports: [ImportLine]) {
        self.path = path
        self.language = language
        self.text = text
        self.regions = regions
        self.imports = imports
    }

    /// One atom's lines (1-based, end exclusive); a class's region holds its methods' code too.
    public struct Region: Sendable, Equatable {
        public var atom: String
        public var methods: [String]
        public var lines: Range<Int>
    }

    public struct ImportLine: Sendable, Equatable {
        public var line: Int
        public var text: String
        public var atoms: [String]
    }

    /// The atom whose code holds `line`, or whose import it is; nil for a line no atom owns.
    public func owner(ofLine line: Int) -> (atom: String, methods: [String], isImport: Bool)? {
        if let region = regions.first(where: { $0.lines.contains(line) }) {
            return (region.atom, region.methods, false)
        }
        if let entry = imports.first(where: { $0.line == line }), let first = entry.atoms.first {
            return (first, [], true)
        }
        return nil
    }
}
