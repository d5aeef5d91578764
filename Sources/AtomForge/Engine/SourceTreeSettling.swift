/// The last check of a plan: the assembled tree must import. A file that does not is pinned on the atom whose lines
/// raise the error (its code, or an import line it asked for); that atom fails, with the error as its reason, and goes
/// to review; the tree is assembled again without it (its place a comment) and checked again, until it imports or
/// nothing more can be pinned. An error no passed atom owns (an import of an atom that failed anyway, a line
/// between atoms) is the tree's, reported as it is.
public enum SourceTreeSettling {
    /// The results after the check, the problems of the tree no atom was made to answer for, and whether the check
    /// could not run at all (the sandbox gave no answer: the tree is then unchecked, which the caller says).
    public static func settle(
        _ plan: Plan, results: [String: AtomResult], check: SourceTreeCheck,
        record: (AtomResult, Atom) async -> Void
    ) async -> (results: [String: AtomResult], problems: [String], unchecked: Bool) {
        var results = results
        let atoms = Dictionary(plan.atoms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let notPassedNames = { (results: [String: AtomResult]) in
            Set(plan.atoms.filter { results[$0.id]?.status != .passed }.map(\.name))
        }
        for _ in 0...plan.atoms.count {
            let layout = SourceAssembler.layout(plan, results: results)
            guard let failures = await check.failures(in: layout) else { return (results, [], true) }
            if failures.isEmpty { return (results, [], false) }
            var problems: [String] = []
            var pinned: [String: String] = [:]
            let unavailable = notPassedNames(results)
            for failure in failures {
                guard let place = failure.place, let file = layout[place.file],
                    let owner = file.owner(ofLine: place.line)
                else {
                    problems.append("src/\(failure.file) does not import: \(failure.message)")
                    continue
                }
                // A method placed in its class: the one the traceback names.
                let method = owner.methods.first { atoms[$0]?.name == place.function }
                let id = method ?? owner.atom
                // An import of an atom that did not pass is that atom's failure showing, not a new one.
                let importsFailedAtom =
                    owner.isImport
                    && unavailable.contains { name in
                        file.imports.first { $0.line == place.line }?.text.hasSuffix("import \(name)") == true
                    }
                guard !importsFailedAtom, results[id]?.status == .passed, atoms[id] != nil else {
                    problems.append("src/\(failure.file) does not import: \(failure.message)")
                    continue
                }
                let what = owner.isImport ? "an import line it asks for" : "its code"
                pinned[id] =
                    pinned[id]
                    ?? "the assembled file src/\(failure.file) fails at import: \(failure.message) "
                    + "(src/\(place.file) line \(place.line), \(what))"
            }
            guard !pinned.isEmpty else { return (results, problems, false) }
            for (id, reason) in pinned.sorted(by: { $0.key < $1.key }) {
                guard var result = results[id], let atom = atoms[id] else { continue }
                result.status = .failed
                result.reason = reason
                results[id] = result
                await record(result, atom)
            }
        }
        return (results, [], false)
    }
}
