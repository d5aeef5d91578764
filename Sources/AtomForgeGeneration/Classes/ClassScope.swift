import AtomForgeModel
import AtomForgeSystem

/// The class an attempt works in: for a method, its class's passed code and every method of the class; for a
/// class atom, the methods that will be written into it. It decides what a method is validated with (the class,
/// the methods it depends on, stubs for the rest) and what its prompt shows.
public struct ClassScope: Sendable {
    /// The class's atom.
    public var type: Atom
    /// The class's passed code (header, fields, constructor); nil while the class itself is generated.
    public var typeCode: String?
    /// Every method of the class, in plan order, the one being generated included.
    public var methods: [Method]

    public struct Method: Sendable {
        public var atom: Atom
        /// Its passed code when the atom at hand depends on it: placed in the class it is validated in.
        public var code: String?
        /// Its passed code when it is not a dependency: only its signature is shown, and a stub is validated.
        public var written: String?

        public init(atom: Atom, code: String? = nil, written: String? = nil) {
            self.atom = atom
            self.code = code
            self.written = written
        }
    }

    public init(type: Atom, typeCode: String?, methods: [Method]) {
        self.type = type
        self.typeCode = typeCode
        self.methods = methods
    }

    var layout: ClassLayout? { ClassLayout(type.language) }

    /// What a stub says when a method is not among a method's dependencies: which atom it is and what to do.
    static func stubNote(for method: Atom, of type: Atom) -> String {
        "\(type.name).\(method.name) is a stub here: atom '\(method.id)' is not among this atom's dependencies "
            + "(add it to depends_on to use it)"
    }

    /// The class with `code` as the method `atom` at its place, the methods it depends on with their code and the
    /// others as stubs: what the method's syntax check and tests run. The range is the method's lines in it; the
    /// offset, how many lines of its code (its imports, moved to the top) come before them.
    public func program(placing code: String, for atom: Atom) -> (text: String, unit: Range<Int>, offset: Int)? {
        guard let layout, let typeCode else { return nil }
        let placements = methods.map { method in
            ClassLayout.Placement(
                name: method.atom.name, code: method.atom.id == atom.id ? code : method.code,
                stubNote: Self.stubNote(for: method.atom, of: type), commentsStub: false)
        }
        let placed = layout.placing(placements, in: typeCode, className: type.name)
        let (text, lines) = placed.withImportsInFront
        guard let unit = lines[atom.name] else { return nil }
        return (text, unit, placed.importLines[atom.name] ?? 0)
    }

    /// The class with the methods that have code in place, its methods' imports in front: how a class another atom
    /// depends on is in that atom's program and prompt (a method it does not depend on is absent, so that a call of
    /// it fails as a missing attribute, and the prompt stays short).
    public var assembled: String? {
        guard let layout, let typeCode else { return nil }
        let placements = methods.map {
            ClassLayout.Placement(name: $0.atom.name, code: $0.code, stubNote: "", omitsMissing: true)
        }
        return layout.placing(placements, in: typeCode, className: type.name).withImportsInFront.text
    }

    /// The class as a method's prompt shows it: its code, the methods the atom depends on in full, the signatures
    /// of the other methods written so far, a line for each one still to be written, and where the atom goes.
    public func view(for atom: Atom) -> String? {
        guard let layout, let typeCode else { return nil }
        let comment = type.language.lineComment
        let placements = methods.map { method -> ClassLayout.Placement in
            let code: String
            if method.atom.id == atom.id {
                code = "\(comment) ← `\(atom.name)` goes here"
            } else if let full = method.code {
                code = full
            } else if let written = method.written {
                code = layout.signature(of: written)
            } else {
                code = "\(comment) \(method.atom.name): \(method.atom.description.firstLine) (written separately)"
            }
            return ClassLayout.Placement(name: method.atom.name, code: code, stubNote: "")
        }
        return layout.placing(placements, in: typeCode, className: type.name).withImportsInFront.text
    }

    /// For a method: the method out of a reply that repeats the class (or indents it), dedented, with the reply's
    /// import lines kept in front (they are moved to the top wherever it is placed). Any other atom's code is left
    /// as it came.
    public func method(outOf code: String, for atom: Atom) -> String {
        guard atom.kind == .method, let layout else { return code }
        guard let method = layout.method(named: atom.name, in: code, className: type.name) else {
            return ClassLayout.trimmedLines(ClassLayout.dedented(ClassLayout.lines(code)))
        }
        let (imports, _) = type.language.splitImports(code)
        return imports.isEmpty ? method : imports.joined(separator: "\n") + "\n\n" + method
    }

    /// For a class: its code less the methods that are atoms of their own (a model writes them anyway; a provided
    /// skeleton may stub them). Any other atom's code is left as it came.
    public func droppingPlannedMethods(from code: String, for atom: Atom) -> String {
        guard atom.kind == .type, let layout else { return code }
        return layout.removingMembers(named: methodNames, from: code, className: atom.name)
    }

    /// A class atom's cut-off reply made whole when the cut fell inside one of the methods planned apart (which the
    /// model was told not to write, and which is dropped anyway); nil otherwise.
    public func salvaging(_ code: String, for atom: Atom) -> String? {
        guard atom.kind == .type, let layout else { return nil }
        return layout.salvaging(code, removing: methodNames, className: atom.name)
    }

    /// The names of the methods that are atoms of their own, which a class's code must not write.
    public var methodNames: Set<String> { Set(methods.map(\.atom.name)) }
}
