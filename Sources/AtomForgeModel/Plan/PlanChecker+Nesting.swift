import AtomForgeSystem

extension PlanChecker {
    /// What is wrong with the plan's classes and methods: a method needs a parent that is a type of the same file
    /// and language, types do not nest, and no chain of parents comes back to where it started.
    static func nestingProblems(_ plan: Plan) -> [PlanDiagnostic] {
        var problems: [PlanDiagnostic] = []
        let byID = Dictionary(plan.atoms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var reportedCycles = Set<String>()
        for atom in plan.atoms {
            guard let parentID = atom.parent else {
                if atom.kind == .method {
                    problems.append(
                        .error(
                            "atom '\(atom.id)' is a method but names no class; add 'parent: ID' with the id of its "
                                + "class's atom", at: atom.location))
                }
                continue
            }
            if parentID == atom.id {
                problems.append(.error("atom '\(atom.id)' is its own parent", at: atom.location))
                continue
            }
            guard let parent = byID[parentID] else {
                let guess = byID.keys.sorted().first { $0.isCloseSpelling(of: parentID) }
                let hint = guess.map { " (did you mean '\($0)'?)" } ?? ""
                problems.append(
                    .error("atom '\(atom.id)' names unknown parent '\(parentID)'\(hint)", at: atom.location))
                continue
            }
            if let cycle = parentCycle(from: atom, in: byID) {
                if reportedCycles.insert(cycle.sorted().joined(separator: "\u{0}")).inserted {
                    let shown = (cycle + [cycle[0]]).joined(separator: " → ")
                    problems.append(
                        .error("parent cycle: \(shown) (each names the next as its parent)", at: atom.location))
                }
                continue
            }
            switch atom.kind {
            case .type:
                problems.append(
                    .error(
                        "atom '\(atom.id)' is a class inside class '\(parentID)': nested classes are not supported; "
                            + "make it a top-level class (remove 'parent')", at: atom.location))
            case .function:
                problems.append(
                    .error(
                        "atom '\(atom.id)' has a parent but is kind function; a member of a class is kind method "
                            + "(or leave 'kind' out)", at: atom.location))
            case .method:
                break
            }
            if parent.kind != .type {
                let what = parent.kind == .method ? "a method" : "kind function"
                problems.append(
                    .error(
                        "atom '\(atom.id)' names '\(parentID)' as its class, but '\(parentID)' is \(what); a parent "
                            + "must be a class (kind: class)", at: atom.location))
            }
            if parent.file != atom.file {
                problems.append(
                    .error(
                        "method '\(atom.id)' is in \(atom.file) but its class '\(parentID)' is in \(parent.file); "
                            + "a method goes in its class's file", at: atom.location))
            } else if parent.language != atom.language {
                problems.append(
                    .error(
                        "method '\(atom.id)' is \(atom.language.name) but its class '\(parentID)' is "
                            + "\(parent.language.name)", at: atom.location))
            }
            if ClassLayout(atom.language) == nil, !atom.language.name.isEmpty {
                let supported = Language.known.filter { ClassLayout($0) != nil }.map(\.name)
                problems.append(
                    .error(
                        "atom '\(atom.id)': methods as atoms are supported in \(supported.joined(separator: ", ")), "
                            + "not \(atom.language.name)", at: atom.location))
            }
        }
        return problems
    }

    /// The chain of parents from `atom` when it comes back to an atom already on it, as that loop's ids.
    private static func parentCycle(from atom: Atom, in byID: [String: Atom]) -> [String]? {
        var chain = [atom.id]
        var current = atom
        while let next = current.parent, let parent = byID[next] {
            if let start = chain.firstIndex(of: next) { return Array(chain[start...]) }
            chain.append(next)
            current = parent
        }
        return nil
    }
}
