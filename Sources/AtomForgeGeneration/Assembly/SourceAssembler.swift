import AtomForgeModel
import AtomForgeSystem

/// Assembles the output tree: every file with its atoms' code in dependency order, imports gathered and
/// de-duplicated at the top.
///
/// Import lines at the start of an atom's code are hoisted too, so a model that repeats `import re` does not leave
/// it in the middle of a file. For Python, CommonJS and TypeScript, a dependency defined in another file of the plan
/// is imported from that file's module (which exports its atoms), so the tree runs as it is. Atoms that did not pass
/// leave a comment in their place pointing at their review file (and a stub where the language has one).
public enum SourceAssembler {
    /// File path → file contents.
    public static func assemble(_ plan: Plan, results: [String: AtomResult]) -> [String: String] {
        layout(plan, results: results).mapValues(\.text)
    }

    /// File path → the file with where each atom's code and each import line is in it.
    public static func layout(_ plan: Plan, results: [String: AtomResult]) -> [String: AssembledFile] {
        let graph = DependencyGraph(plan.atoms)
        let fileOfAtom = Dictionary(plan.atoms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var files:
            [String: (language: Language, imports: [(text: String, atom: String)], bodies: [Body], defined: [String])] =
                [:]
        var order: [String] = []
        var methodsOf: [String: [Atom]] = [:]
        for atom in plan.atoms where atom.kind == .method {
            if let parent = atom.parent { methodsOf[parent, default: []].append(atom) }
        }
        // A class is written where its last method comes in dependency order, so that whatever its methods use
        // from the same file (another class in an annotation, a constant) comes before it.
        var lastOfClass: [String: String] = [:]
        for index in graph.topologicalOrder {
            let atom = plan.atoms[index]
            if atom.kind == .method, let parent = atom.parent, fileOfAtom[parent] != nil {
                lastOfClass[parent] = atom.id
            }
        }
        let classOfLast = Dictionary(lastOfClass.map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let atomsInOrder = graph.topologicalOrder.compactMap { index -> Atom? in
            let atom = plan.atoms[index]
            if let type = classOfLast[atom.id] { return fileOfAtom[type] }
            if atom.kind == .method, atom.parent.flatMap({ fileOfAtom[$0] }) != nil { return nil }
            if lastOfClass[atom.id] != nil { return nil }
            return atom
        }
        for atom in atomsInOrder {
            if files[atom.file] == nil {
                files[atom.file] = (atom.language, [], [], [])
                order.append(atom.file)
            }
            var imports = atom.imports + moduleImports(of: atom, fileOfAtom: fileOfAtom)
            let result = results[atom.id]
            let methods = methodsOf[atom.id] ?? []
            if let result, result.status == .passed, let code = result.code {
                var (hoisted, body) = atom.language.splitImports(code)
                if !methods.isEmpty {
                    let placed = placingMethods(methods, in: body, of: atom, results: results, fileOfAtom: fileOfAtom)
                    body = placed.body
                    hoisted += placed.imports
                }
                imports += hoisted
                files[atom.file]!.bodies.append(Body(atom: atom.id, methods: methods.map(\.id), text: body))
                if atom.kind != .method { files[atom.file]!.defined.append(atom.name) }
            } else {
                var comments = [Self.placeholder(for: atom, result: result)]
                comments += methods.map { Self.placeholder(for: $0, result: results[$0.id]) }
                if let stub = Self.stub(for: atom, result: result) {
                    comments.append(stub)
                    files[atom.file]!.defined.append(atom.name)
                }
                files[atom.file]!.bodies.append(
                    Body(atom: atom.id, methods: methods.map(\.id), text: comments.joined(separator: "\n")))
            }
            files[atom.file]!.imports += imports.map { ($0, atom.id) }
        }
        var output: [String: AssembledFile] = [:]
        for file in order {
            let entry = files[file]!
            var lines: [String] = []
            var askedBy: [String: [String]] = [:]
            for (line, atom) in entry.imports {
                if askedBy[line] == nil { lines.append(line) }
                if askedBy[line]?.contains(atom) != true { askedBy[line, default: []].append(atom) }
            }
            var text = lines.joined(separator: "\n")
            if !text.isEmpty { text += "\n\n\n" }
            var regions: [AssembledFile.Region] = []
            var next = text.count(of: "\n") + 1
            for body in entry.bodies {
                let count = body.text.count(of: "\n") + 1
                regions.append(.init(atom: body.atom, methods: body.methods, lines: next..<next + count))
                next += count + 2
            }
            text += entry.bodies.map(\.text).joined(separator: "\n\n\n") + "\n"
            if isCommonJS(file, entry.language), let exports = exports(of: entry.defined) {
                text += "\n\n" + exports + "\n"
            } else if isTypeScriptModule(file, entry.language),
                let exports = typescriptExports(of: entry.defined, in: text)
            {
                text += "\n\n" + exports + "\n"
            }
            output[file] = AssembledFile(
                path: file, language: entry.language, text: text, regions: regions,
                imports: lines.enumerated().map {
                    .init(line: $0.offset + 1, text: $0.element, atoms: askedBy[$0.element]!)
                })
        }
        return output
    }

    /// One atom's code (a class with its methods placed in it) as it goes into a file.
    struct Body {
        var atom: String
        var methods: [String]
        var text: String
    }

    /// For each dependency of `atom` defined in another file of the plan (a method of another class through its
    /// class), the line that brings it in, so that the assembled tree runs as it is: Python `from module import
    /// Name`, CommonJS `const { name } = require("./other.js");` (its files export their atoms, ``exports(of:)``),
    /// TypeScript `import { name } from "./other";` (its files are modules, ``typescriptExports(of:in:)``).
    static func moduleImports(of atom: Atom, fileOfAtom: [String: Atom]) -> [String] {
        let javascript = isCommonJS(atom.file, atom.language)
        let typescript = isTypeScriptModule(atom.file, atom.language)
        guard atom.language.fromImports || javascript || typescript else { return [] }
        return atom.dependsOn.compactMap { dependency in
            guard var other = fileOfAtom[dependency], other.file != atom.file else { return nil }
            if other.kind == .method, let parent = other.parent.flatMap({ fileOfAtom[$0] }) { other = parent }
            if javascript {
                guard isCommonJS(other.file, other.language), isIdentifier(other.name) else { return nil }
                return "const { \(other.name) } = require(\"\(relativePath(from: atom.file, to: other.file))\");"
            }
            if typescript {
                guard isTypeScriptModule(other.file, other.language), isIdentifier(other.name) else { return nil }
                // TypeScript names a module without its extension: `./other` is other.ts here, other.js compiled.
                let path = relativePath(from: atom.file, to: other.file).dropLast(3)
                return "import { \(other.name) } from \"\(path)\";"
            }
            guard other.file.hasSuffix(".py") else { return nil }
            return "from \(other.file.dropLast(3).replacing("/", with: ".")) import \(other.name)"
        }
    }

    /// Whether `file` is a JavaScript file loaded as CommonJS (`.js`, `.cjs`; not an ES module's `.mjs`).
    static func isCommonJS(_ file: String, _ language: Language) -> Bool {
        language.testRunner == .javascript && (file.hasSuffix(".js") || file.hasSuffix(".cjs"))
    }

    /// Whether `file` is a TypeScript file, assembled as a module: it imports what it uses from the plan's other
    /// files and exports its own atoms, so a test (or a person's code) imports it as it would any module.
    static func isTypeScriptModule(_ file: String, _ language: Language) -> Bool {
        language.testRunner == .typescript && file.hasSuffix(".ts") && !file.hasSuffix(".d.ts")
    }

    /// A name JavaScript can declare and export as it is.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "$")
        }
    }

    /// `to` as a `require` path from the folder of `from` (`./b.js`, `../util/c.js`).
    static func relativePath(from: String, to: String) -> String {
        var base = from.split(separator: "/").dropLast().map(String.init)
        var target = to.split(separator: "/").map(String.init)
        while let first = base.first, first == target.first, target.count > 1 {
            base.removeFirst()
            target.removeFirst()
        }
        let up = Array(repeating: "..", count: base.count)
        return (up.isEmpty ? "./" : up.joined(separator: "/") + "/") + target.joined(separator: "/")
    }

    /// For a CommonJS file: the line that exports its atoms' names (those that passed, and the stubs of those that
    /// did not), so that a test or another file can `require` it; guarded, so the file still runs as a plain script.
    static func exports(of names: [String]) -> String? {
        let names = names.filter(isIdentifier)
        guard !names.isEmpty else { return nil }
        return "if (typeof module !== \"undefined\") module.exports = { \(names.joined(separator: ", ")) };"
    }

    /// For a TypeScript file: `export { a, b };` of its atoms' names, but those its code already exports
    /// (`export function a`), which a second export would declare twice.
    static func typescriptExports(of names: [String], in text: String) -> String? {
        let exported = Set(
            text.matches(
                of:
                    #/(?m)^\s*export\s+(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|enum|interface|type|namespace)\s+(?<name>[A-Za-z_$][\w$]*)/#
            ).map { String($0.name) })
        let names = names.filter { isIdentifier($0) && !exported.contains($0) }
        guard !names.isEmpty else { return nil }
        return "export { \(names.joined(separator: ", ")) };"
    }

    /// For a Python, CommonJS or TypeScript function or class that did not pass: a definition of its name that raises, naming
    /// its review page, so that the file still imports and what passed can be used (as a class's missing methods are
    /// stubs); nil for other atoms, and for code the plan provides.
    static func stub(for atom: Atom, result: AtomResult?) -> String? {
        guard atom.providedCode == nil else { return nil }
        let status = result?.status.rawValue ?? "unfinished"
        let why = "\(atom.name) (atom '\(atom.id)') \(status): see review/\(atom.id).md"
        if atom.language.testRunner == .python {
            let raise = "raise NotImplementedError(\"\(why)\")"
            switch atom.kind {
            case .function: return "def \(atom.name)(*args, **kwargs):\n    \(raise)"
            case .type: return "class \(atom.name):\n    def __init__(self, *args, **kwargs):\n        \(raise)"
            case .method: return nil
            }
        }
        let typescript = isTypeScriptModule(atom.file, atom.language)
        guard isCommonJS(atom.file, atom.language) || typescript, isIdentifier(atom.name) else { return nil }
        let raise = "throw new Error(\"\(why)\");"
        // TypeScript's stub takes any arguments and gives `any`, so the callers in the tree still compile.
        let parameters = typescript ? "..._arguments: any[]" : ""
        let returns = typescript ? ": any" : ""
        switch atom.kind {
        case .function: return "function \(atom.name)(\(parameters))\(returns) {\n    \(raise)\n}"
        case .type: return "class \(atom.name) {\n    constructor(\(parameters)) {\n        \(raise)\n    }\n}"
        case .method: return nil
        }
    }

    /// The comment an atom that did not pass leaves in its place.
    static func placeholder(for atom: Atom, result: AtomResult?) -> String {
        let status = result?.status.rawValue ?? "unfinished"
        return "\(atom.language.lineComment) atom '\(atom.id)' (\(atom.name)) \(status): see review/\(atom.id).md"
    }

    /// A passed class's code with its methods in plan order: the passed ones in its body (Swift: an extension
    /// each), the others as stubs that raise and name their review page, so the file still imports and what passed
    /// can be used. Returns the body and the import lines the methods need.
    static func placingMethods(
        _ methods: [Atom], in classCode: String, of type: Atom, results: [String: AtomResult],
        fileOfAtom: [String: Atom]
    ) -> (body: String, imports: [String]) {
        guard let layout = ClassLayout(type.language) else { return (classCode, []) }
        var imports: [String] = []
        let placements = methods.map { method -> ClassLayout.Placement in
            imports += method.imports + moduleImports(of: method, fileOfAtom: fileOfAtom)
            let result = results[method.id]
            guard let result, result.status == .passed, let code = result.code else {
                let status = result?.status.rawValue ?? "unfinished"
                return ClassLayout.Placement(
                    name: method.name, code: nil,
                    stubNote: "\(type.name).\(method.name) (atom '\(method.id)') \(status): see review/\(method.id).md")
            }
            return ClassLayout.Placement(name: method.name, code: code, stubNote: "")
        }
        let placed = layout.placing(placements, in: classCode, className: type.name)
        return (placed.text, placed.imports + imports)
    }
}
