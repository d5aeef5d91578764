import AtomForgeModel
import AtomForgeSystem
import Foundation

/// Loads every file of the assembled tree, in the sandbox, the way a person's use of it would: Python files imported
/// by their dotted name with the whole tree on the path, JavaScript files loaded in one context in the order of
/// their atoms' dependencies, Swift files compiled together as one module, TypeScript files type-checked together.
/// Atoms are loaded alone with their dependencies before they pass; a file can still fail where they meet: a
/// function or class defined twice (the later one replaces the earlier: an atom that shadows another), an import of a
/// module of the plan under a name it does not have, a top-level statement that needs what a later atom defines, a
/// statement at the top of a Swift file that is not the program's `main.swift`.
public struct SourceTreeCheck: Sendable {
    /// Why one file did not load, and where in the tree it raised.
    public struct Failure: Sendable, Equatable {
        public var file: String
        /// `ImportError: cannot import name 'reduce' from 'collections'`.
        public var message: String
        /// The innermost place in the tree the error came from.
        public var place: Place?
        /// For a name declared twice, the name: the atom it is named after is its rightful owner, the other one
        /// shadows it.
        public var symbol: String?
    }

    /// A line of a file of the tree, and the function it is in (`<module>` at the top level).
    public struct Place: Sendable, Equatable {
        public var file: String
        public var line: Int
        public var function: String

        public init(file: String, line: Int, function: String) {
            self.file = file
            self.line = line
            self.function = function
        }

        /// A place as the sandboxed scripts write it, `[file, line, function]`; nil for anything else.
        init?(reported: Any?) {
            guard let place = reported as? [Any], place.count == 3, let file = place[0] as? String,
                let line = place[1] as? Int, let function = place[2] as? String
            else { return nil }
            self.init(file: file, line: line, function: function)
        }
    }

    /// What one check of the tree found: the files that fail, and the languages whose check gave no answer (their
    /// files are unchecked, which the run says; the other languages' failures stand).
    public struct Outcome: Sendable, Equatable {
        public var failures: [Failure] = []
        public var unchecked: [String] = []
    }

    let runner: ToolRunner
    /// The languages whose tools are installed: the others' files are not checked (their atoms rest on less).
    let available: Set<Language.TestRunner>

    public init(runner: ToolRunner, available: Set<Language.TestRunner> = Set(Language.TestRunner.allCases)) {
        self.runner = runner
        self.available = available
    }

    /// Checks every file of `files` whose language's tools are installed. `before`: for a file, the files of its
    /// atoms' dependencies in the order they load (JavaScript files are loaded after them, as an atom's tests load
    /// its dependencies first).
    public func check(_ files: [String: AssembledFile], before: [String: [String]] = [:]) async -> Outcome {
        var outcome = Outcome()
        for language in Language.TestRunner.allCases where available.contains(language) {
            let part = files.filter { $0.value.language.testRunner == language }
            guard !part.isEmpty else { continue }
            let failures: [Failure]?
            switch language {
            case .python: failures = await pythonFailures(in: part.filter { $0.key.hasSuffix(".py") })
            case .javascript: failures = await javascriptFailures(in: part, before: before)
            case .swift: failures = await swiftFailures(in: part)
            case .typescript: failures = await typescriptFailures(in: part)
            }
            if let failures {
                outcome.failures += failures
            } else {
                outcome.unchecked.append(language.rawValue)
            }
        }
        outcome.failures.sort { $0.file < $1.file }
        return outcome
    }

    /// The Python files of `tree` that fail to import.
    func pythonFailures(in tree: [String: AssembledFile]) async -> [Failure]? {
        guard !tree.isEmpty else { return [] }
        let token = AtomTestValidator.makeToken()
        let treeJSON = (try? JSONEncoder().encode(tree.mapValues(\.text))).map { String(decoding: $0, as: UTF8.self) }
        guard let treeJSON,
            let run = try? await runner.runPython(
                ["check.py"], files: ["check.py": Self.python, "tree.json": treeJSON, TestHarness.tokenFile: token])
        else { return nil }
        guard let object = run.report(behind: token) else { return nil }
        return Self.failures(in: object)
    }

    /// The failures a check script reported as one JSON object: file → {error, place: [file, line, function]}.
    static func failures(in object: [String: Any]) -> [Failure] {
        object.keys.sorted().compactMap { file in
            guard let entry = object[file] as? [String: Any], let message = entry["error"] as? String else {
                return nil
            }
            return Failure(
                file: file, message: message, place: Place(reported: entry["place"]), symbol: entry["symbol"] as? String
            )
        }
    }

    /// Writes the tree under `src/`, imports each module (a failed one is not left in `sys.modules`), and prints
    /// one line behind the token: file → its error and the innermost frame inside the tree.
    static let python = EmbeddedFile.text(PackageResources.source_tree_check_py)
}
