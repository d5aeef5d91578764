/// The tree a plan's suite runs on: the assembled `src/`, with a stub that raises in place of each Python function
/// or class that did not pass. A test file that imports it then still loads, and only the tests that use it fail
/// (pinned on it by name), instead of the whole file stopping at import and the suite learning nothing.
public enum SuiteTree {
    /// `results` with such a stub as the passed code of each Python function or class that did not pass.
    public static func results(_ plan: Plan, _ results: [String: AtomResult]) -> [String: AtomResult] {
        var results = results
        for atom in plan.atoms
        where atom.language.testRunner == .python && results[atom.id]?.status != .passed && atom.providedCode == nil {
            let raise = "raise NotImplementedError(\"atom \(atom.id) did not pass; see review/\")"
            let stub: String
            switch atom.kind {
            case .function: stub = "def \(atom.name)(*args, **kwargs):\n    \(raise)"
            case .type: stub = "class \(atom.name):\n    def __init__(self, *args, **kwargs):\n        \(raise)"
            case .method: continue
            }
            results[atom.id] = AtomResult(id: atom.id, status: .passed, attempts: [], code: stub)
        }
        return results
    }
}
