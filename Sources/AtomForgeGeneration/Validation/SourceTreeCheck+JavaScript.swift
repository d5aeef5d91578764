import AtomForgeSystem
import Foundation

extension SourceTreeCheck {
    /// The JavaScript files of `tree` that fail to load: each file read for a function or class declared twice at its
    /// top (the later silently replaces the earlier), then each file run in a context of its own with what a CommonJS
    /// file has (`require` from its place in the tree, so that the `require` lines of the assembled tree load the
    /// other files as Node would; `module`, `exports`), after the files of its atoms' dependencies that it cannot
    /// require (`before`; an ES module's). A syntax error or an exception while a file loads is that file's,
    /// placed at the innermost line of the tree it came from.
    func javascriptFailures(in tree: [String: AssembledFile], before: [String: [String]]) async -> [Failure]? {
        let paths = tree.keys.sorted()
        let entries = paths.map { path -> [String: Any] in
            ["path": path, "text": tree[path]!.text, "before": (before[path] ?? []).filter { tree[$0] != nil }]
        }
        let token = AtomTestValidator.makeToken()
        guard let treeJSON = try? JSONSerialization.data(withJSONObject: entries),
            let run = try? await runner.run(
                "node", ["check.js"],
                files: [
                    "check.js": Self.javascript, "tree.json": String(decoding: treeJSON, as: UTF8.self),
                    TestHarness.tokenFile: token,
                ])
        else { return nil }
        guard let object = run.report(behind: token) else { return nil }
        return Self.failures(in: object)
    }

    /// Reads `tree.json` ([{path, text, before}, …]) and prints one line behind the token: file → its error, its
    /// place in the tree, and the name declared twice when that is the error.
    static let javascript = EmbeddedFile.text(PackageResources.source_tree_check_js)
}
