/// What AtomForge knows about a programming language, in one place: how its files end, how replies tag its code,
/// how its declarations and imports look, which tool checks its syntax, how its tests run, and how the unit is
/// taken out of a reply. Adding a language is one more entry in ``known`` (and its tests); only a test runner of a
/// new kind needs code of its own (``TestRunner``).
public struct Language: Sendable, Hashable {
    /// The name plans use (`python`, `swift`…), lowercased.
    public var name: String
    /// File extensions without the dot; the first is the one given to files AtomForge names itself.
    public var fileExtensions: [String]
    /// The tags a fenced block may carry (` ```py `), the name included.
    public var fenceTags: [String]
    /// How a line comment starts, for headers in assembled files.
    public var lineComment: String
    /// The words a declaration starts with (`def`, `func`, `function`…), after modifiers such as `export`.
    public var declarationKeywords: [String] = []
    /// Whether a top-level assignment defines a name (`NAME = …`, `NAME: T = …`).
    public var definesByAssignment = false
    /// How an import line starts (`import ` — a dynamic `import(` is a call, not an import line).
    public var importPrefixes: [String] = []
    /// Python's `from m import x`: an import line too, and how a dependency in another file is imported into the
    /// assembled file.
    public var fromImports = false
    /// The check of its syntax with its own toolchain; nil for none.
    public var syntaxCheck: SyntaxCheck?
    /// How an atom's tests run; nil when they cannot.
    public var testRunner: TestRunner?
    /// How the unit is taken out of a reply's code.
    public var unitExtraction = UnitExtraction.asIs

    /// A syntax check: `tool` run on the atom's code in `fileName` with `arguments`.
    public struct SyntaxCheck: Sendable, Hashable {
        public var tool: String
        public var fileName: String
        public var arguments: [String]
        /// The file the dependencies' code is written to beside the atom, for a tool that checks against it
        /// (`swiftc -typecheck`); nil for none.
        public var dependenciesFile: String?
        /// Whether the atom's own imports go in front of its first line (joined by `;`, so the line numbers of
        /// errors stay the model's): Swift's imports are per file, and the dependencies' file has its own.
        public var prependsImports = false
        /// When set, only output lines containing it fail the check: `tsc` reports type errors too (a call to a
        /// dependency it cannot see, a module without types), and only its syntax errors (`error TS1…`) are syntax.
        public var failingLines: String?
        /// Set when the check is one of AtomForge's own Python scripts that only parse (`python3 -I -c script
        /// fileName`, which `tool` and `arguments` spell out): the runner may serve it from its ``WarmParser``.
        public var parseScript: String?
    }

    /// The test runners AtomForge has: each runs the dependencies, the atom and the tests as one program.
    public enum TestRunner: String, Sendable, Hashable, CaseIterable {
        case python, swift, javascript, typescript

        /// The programs it needs: without them its tests cannot run, and are not tried.
        public var tools: [String] {
            switch self {
            case .python: ["python3"]
            case .swift: ["swiftc"]
            case .javascript: ["node"]
            case .typescript: ["tsc", "node"]
            }
        }
    }

    /// How the code of a reply is reduced to the atom's unit.
    public enum UnitExtraction: String, Sendable, Hashable {
        /// Through Python's own parser (imports, definitions, constants kept; the rest dropped).
        case pythonParser
        /// Top-level calls such as `print(…)` or `console.log(…)` dropped, by line.
        case swiftTopLevelCalls, javascriptTopLevelCalls
        /// Kept as it came.
        case asIs
    }

    public init(name: String, fileExtensions: [String], fenceTags: [String], lineComment: String) {
        self.name = name
        self.fileExtensions = fileExtensions
        self.fenceTags = fenceTags
        self.lineComment = lineComment
    }

    /// Python's parser, printing `line:column: message` and the offending line.
    package static let pythonParse = """
        import ast, sys
        source = open(sys.argv[1], encoding="utf-8").read()
        try:
            ast.parse(source, filename=sys.argv[1])
        except SyntaxError as error:
            text = (error.text or "").rstrip()
            print(f"{sys.argv[1]}:{error.lineno}:{error.offset}: SyntaxError: {error.msg}" + (f"\\n    {text}" if text else ""))
            sys.exit(1)
        """

    private static let ecmaScriptDeclarations = [
        "function", "async function", "class", "const", "let", "var", "interface", "type", "enum",
    ]

    /// The languages with built-in validators.
    public static let known: [Language] = {
        var python = Language(
            name: "python", fileExtensions: ["py"], fenceTags: ["python", "py", "python3"], lineComment: "#")
        python.declarationKeywords = ["def", "async def", "class"]
        python.definesByAssignment = true
        python.importPrefixes = ["import "]
        python.fromImports = true
        python.syntaxCheck = SyntaxCheck(
            tool: "python3", fileName: "atom.py", arguments: ["-I", "-c", pythonParse, "atom.py"],
            parseScript: pythonParse)
        python.testRunner = .python
        python.unitExtraction = .pythonParser

        var swift = Language(name: "swift", fileExtensions: ["swift"], fenceTags: ["swift"], lineComment: "//")
        swift.declarationKeywords = [
            "func", "struct", "class", "enum", "protocol", "actor", "typealias", "let", "var", "extension",
        ]
        swift.importPrefixes = ["import "]
        swift.syntaxCheck = SyntaxCheck(
            tool: "swiftc", fileName: "atom.swift", arguments: ["-typecheck", "dependencies.swift", "atom.swift"],
            dependenciesFile: "dependencies.swift", prependsImports: true)
        swift.testRunner = .swift
        swift.unitExtraction = .swiftTopLevelCalls

        var javascript = Language(
            name: "javascript", fileExtensions: ["js", "mjs", "cjs"], fenceTags: ["javascript", "js", "node"],
            lineComment: "//")
        javascript.declarationKeywords = ecmaScriptDeclarations
        javascript.importPrefixes = ["import "]
        javascript.syntaxCheck = SyntaxCheck(tool: "node", fileName: "atom.js", arguments: ["--check", "atom.js"])
        javascript.testRunner = .javascript
        javascript.unitExtraction = .javascriptTopLevelCalls

        var typescript = javascript
        typescript.name = "typescript"
        typescript.fileExtensions = ["ts"]
        typescript.fenceTags = ["typescript", "ts"]
        typescript.syntaxCheck = SyntaxCheck(
            tool: "tsc", fileName: "atom.ts",
            arguments: ["--noEmit", "--skipLibCheck", "--target", "es2020", "atom.ts"],
            failingLines: "error TS1")
        typescript.testRunner = .typescript
        return [python, swift, javascript, typescript]
    }()

    /// The language named `name` (any case); one AtomForge has no validator for gets a plain description.
    public static func named(_ name: String) -> Language {
        let lowered = name.lowercased()
        return known.first { $0.name == lowered || $0.fenceTags.contains(lowered) }
            ?? Language(name: lowered, fileExtensions: [lowered], fenceTags: [lowered], lineComment: "#")
    }

    /// The known language whose files end like `path`, if any.
    public static func forFile(_ path: String) -> Language? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let fileExtension = path[path.index(after: dot)...].lowercased()
        return known.first { $0.fileExtensions.contains(fileExtension) }
    }

    public var isKnown: Bool { Self.known.contains(self) }

    /// Whether `line` (trimmed) is an import line of this language.
    public func isImportLine(_ line: String) -> Bool {
        if fromImports, line.hasPrefix("from "), line.contains(" import ") { return true }
        return importPrefixes.contains { line.hasPrefix($0) }
    }
}
