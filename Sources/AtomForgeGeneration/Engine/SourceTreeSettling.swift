import AtomForgeModel

/// The last check of a plan: the assembled tree must load (``SourceTreeCheck``). A file that does not is pinned on the
/// atom whose lines raise the error (its code, or an import line it asked for); that atom fails, with the error as its
/// reason, and goes to review; the tree is assembled again without it (its place a comment) and checked again, until
/// it loads or nothing more can be pinned. An error no passed atom owns (an import or a use of an atom that failed
/// anyway, a line between atoms) is the tree's, reported as it is. A name two atoms declare is pinned on the one not
/// named after it.
public enum SourceTreeSettling {
    /// The results after the check, the problems of the tree no atom was made to answer for, and whether some of the
    /// tree could not be checked (a language's check gave no answer: its files are unchecked, which the caller says).
    public static func settle(
        _ plan: Plan, results: [String: AtomResult], check: SourceTreeCheck,
        record: (AtomResult, Atom) async -> Void
    ) async -> (results: [String: AtomResult], problems: [String], unchecked: Bool) {
        var results = results
        let atoms = Dictionary(plan.atoms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let notPassedNames = { (results: [String: AtomResult]) in
            Set(plan.atoms.filter { results[$0.id]?.status != .passed }.map(\.name))
        }
        let before = filesBefore(plan)
        for _ in 0...plan.atoms.count {
            let layout = SourceAssembler.layout(plan, results: results)
            let outcome = await check.check(layout, before: before)
            let unchecked = !outcome.unchecked.isEmpty
            if outcome.failures.isEmpty { return (results, [], unchecked) }
            var problems: [String] = []
            var pinned: [String: String] = [:]
            let unavailable = notPassedNames(results)
            for failure in outcome.failures {
                let problem = "src/\(failure.file) does not load: \(failure.message)"
                guard let place = failure.place, let file = layout[place.file],
                    let owner = file.owner(ofLine: place.line)
                else {
                    problems.append(problem)
                    continue
                }
                // A method placed in its class: the one the traceback names.
                let method = owner.methods.first { atoms[$0]?.name == place.function }
                let id = method ?? owner.atom
                // An import of an atom that did not pass, or a use of its name the compiler cannot find, is that
                // atom's failure showing, not a new one.
                let importsFailedAtom =
                    owner.isImport
                    && unavailable.contains { name in
                        file.imports.first { $0.line == place.line }?.text.hasSuffix("import \(name)") == true
                    }
                let missesFailedAtom = unavailable.contains { Self.message(failure.message, misses: $0) }
                // A name declared twice belongs to the atom named after it: the other declaration is the fault.
                let ownsSymbol = failure.symbol != nil && failure.symbol == atoms[id]?.name && !owner.isImport
                guard !importsFailedAtom, !missesFailedAtom, !ownsSymbol, results[id]?.status == .passed,
                    atoms[id] != nil
                else {
                    if !ownsSymbol { problems.append(problem) }
                    continue
                }
                let what = owner.isImport ? "an import line it asks for" : "its code"
                pinned[id] =
                    pinned[id]
                    ?? "the assembled file src/\(failure.file) fails to load: \(failure.message) "
                    + "(src/\(place.file) line \(place.line), \(what))"
            }
            guard !pinned.isEmpty else { return (results, problems, unchecked) }
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

    /// For each file of `plan`, the files its atoms depend on (directly or through others), in dependency order.
    package static func filesBefore(_ plan: Plan) -> [String: [String]] {
        let byID = Dictionary(plan.atoms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var order: [String] = []
        for index in DependencyGraph(plan.atoms).topologicalOrder where !order.contains(plan.atoms[index].file) {
            order.append(plan.atoms[index].file)
        }
        var needs: [String: Set<String>] = [:]
        for atom in plan.atoms {
            for dependency in atom.dependsOn {
                if let other = byID[dependency], other.file != atom.file {
                    needs[atom.file, default: []].insert(other.file)
                }
            }
        }
        var before: [String: [String]] = [:]
        for file in order {
            var found = Set<String>()
            var queue = Array(needs[file] ?? [])
            while let next = queue.popLast() {
                guard next != file, found.insert(next).inserted else { continue }
                queue += needs[next] ?? []
            }
            before[file] = order.filter(found.contains)
        }
        return before
    }

    /// Whether a loader's or compiler's message says `name` is missing: Swift's `cannot find 'f' in scope`, Node's
    /// `ReferenceError: f is not defined`, Python's `name 'f' is not defined`.
    package static func message(_ message: String, misses name: String) -> Bool {
        ["cannot find '\(name)' in scope", ": \(name) is not defined", "name '\(name)' is not defined"].contains {
            message.contains($0)
        }
    }
}
