import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

@Suite("source assembly")
struct SourceAssemblerTests {
    @Test("atoms in dependency order, imports hoisted and de-duplicated, a dependency in another file imported")
    func assemble() {
        let plan = Plan(
            id: "p",
            atoms: [
                TestEngine.atom("uses", file: "pkg/uses.py", after: ["helper", "base"]),
                TestEngine.atom("helper", file: "pkg/uses.py"),
                TestEngine.atom("base", file: "pkg/base.py"),
            ])
        let files = SourceAssembler.assemble(
            plan,
            results: [
                "base": AtomResult(id: "base", status: .passed, code: "import re\n\ndef base():\n    return 1"),
                "helper": AtomResult(id: "helper", status: .passed, code: "import re\ndef helper():\n    return 2"),
                "uses": AtomResult(id: "uses", status: .passed, code: "def uses():\n    return base() + helper()"),
            ])
        let uses = try? #require(files["pkg/uses.py"])
        let text = uses ?? ""
        #expect(text.components(separatedBy: "import re").count == 2, "once, at the top: \(text)")
        #expect(text.contains("from pkg.base import base"))
        let helper = text.range(of: "def helper")?.lowerBound
        let user = text.range(of: "def uses")?.lowerBound
        #expect(helper != nil && user != nil && helper! < user!, "a dependency before its user")
        #expect(files["pkg/base.py"]?.hasPrefix("import re") == true)
    }

    @Test("TypeScript files are modules: a dependency in another file imported, atoms exported once, a stub typed")
    func typescriptModules() throws {
        func atom(_ id: String, file: String, after: [String] = []) -> Atom {
            var atom = TestEngine.atom(id, file: file, after: after)
            atom.language = .named("typescript")
            return atom
        }
        let plan = Plan(
            id: "p",
            atoms: [
                atom("base", file: "lib/base.ts"),
                atom("uses", file: "lib/deep/uses.ts", after: ["base"]),
                atom("shown", file: "lib/deep/uses.ts"),
                atom("missing", file: "lib/deep/uses.ts"),
            ])
        let files = SourceAssembler.assemble(
            plan,
            results: [
                "base": AtomResult(id: "base", status: .passed, code: "function base(): number {\n    return 1;\n}"),
                "uses": AtomResult(id: "uses", status: .passed, code: "function uses() {\n    return base();\n}"),
                "shown": AtomResult(id: "shown", status: .passed, code: "export function shown() {\n    return 2;\n}"),
                "missing": AtomResult(id: "missing", status: .failed),
            ])
        let uses = try #require(files["lib/deep/uses.ts"])
        #expect(uses.hasPrefix("import { base } from \"../base\";\n"), "\(uses)")
        #expect(uses.contains("function missing(..._arguments: any[]): any {\n    throw new Error("), "\(uses)")
        // `shown` exports itself: a second export of it would declare it twice.
        #expect(uses.hasSuffix("export { missing, uses };\n"), "\(uses)")
        #expect(files["lib/base.ts"]?.hasSuffix("export { base };\n") == true, "\(files)")
    }

    @Test("the layout says which atom owns each line: its code, or an import line it asked for")
    func layout() throws {
        let plan = Plan(
            id: "p",
            atoms: [
                TestEngine.atom("uses", file: "pkg/uses.py", after: ["helper", "base"]),
                TestEngine.atom("helper", file: "pkg/uses.py"),
                TestEngine.atom("base", file: "pkg/base.py"),
            ])
        let files = SourceAssembler.layout(
            plan,
            results: [
                "base": AtomResult(id: "base", status: .passed, code: "def base():\n    return 1"),
                "helper": AtomResult(id: "helper", status: .passed, code: "import re\ndef helper():\n    return 2"),
                "uses": AtomResult(id: "uses", status: .passed, code: "def uses():\n    return base() + helper()"),
            ])
        let uses = try #require(files["pkg/uses.py"])
        let lines = uses.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for region in uses.regions {
            let first = lines[region.lines.lowerBound - 1]
            #expect(first == "def \(region.atom)():", "\(region) starts at \(first)")
            #expect(lines[region.lines.upperBound - 2].hasPrefix("    return"))
        }
        #expect(uses.owner(ofLine: uses.regions[1].lines.lowerBound + 1)?.atom == "uses")
        let reImport = try #require(uses.imports.first { $0.text == "import re" })
        #expect(lines[reImport.line - 1] == "import re")
        #expect(
            uses.owner(ofLine: reImport.line)?.atom == "helper" && uses.owner(ofLine: reImport.line)?.isImport == true)
        let fromBase = try #require(uses.imports.first { $0.text == "from pkg.base import base" })
        #expect(fromBase.atoms == ["uses"])
        #expect(uses.owner(ofLine: uses.regions[0].lines.upperBound) == nil, "a blank line between atoms")
    }

    @Test("an atom that did not pass leaves a comment pointing at its review page")
    func failedAtom() {
        let plan = Plan(id: "p", atoms: [TestEngine.atom("gone", file: "m.py")])
        let files = SourceAssembler.assemble(plan, results: ["gone": AtomResult(id: "gone", status: .failed)])
        #expect(files["m.py"]?.contains("# atom 'gone' (gone) failed: see review/gone.md") == true, "\(files)")
    }

    @Test("a class with its methods in plan order, after what its methods use; a failed one a stub naming its page")
    func classWithMethods() {
        let python = Language.named("python")
        let plan = Plan(
            id: "p",
            atoms: [
                Atom(id: "canvas", name: "Canvas", description: "d", file: "draw.py", language: python, kind: .type),
                Atom(
                    id: "add", name: "add", description: "d", file: "draw.py", language: python, dependsOn: ["shape"],
                    kind: .method, parent: "canvas"),
                Atom(
                    id: "clear", name: "clear", description: "d", file: "draw.py", language: python, kind: .method,
                    parent: "canvas"),
                Atom(id: "shape", name: "Shape", description: "d", file: "draw.py", language: python),
                Atom(
                    id: "helper", name: "helper", description: "d", file: "lib/help.py", language: python),
                Atom(
                    id: "size", name: "size", description: "d", file: "draw.py", language: python,
                    dependsOn: ["helper"], kind: .method, parent: "canvas"),
            ])
        let files = SourceAssembler.assemble(
            plan,
            results: [
                "canvas": AtomResult(
                    id: "canvas", status: .passed,
                    code: "class Canvas:\n    def __init__(self):\n        self.shapes = []"),
                "add": AtomResult(
                    id: "add", status: .passed,
                    code: "import math\n\ndef add(self, shape: Shape):\n    self.shapes.append(shape)"),
                "clear": AtomResult(id: "clear", status: .failed, code: "def clear(self):\n    pass("),
                "shape": AtomResult(id: "shape", status: .passed, code: "class Shape:\n    pass"),
                "helper": AtomResult(id: "helper", status: .passed, code: "def helper():\n    return 1"),
                "size": AtomResult(
                    id: "size", status: .passed, code: "def size(self):\n    return helper() + len(self.shapes)"),
            ])
        let text = files["draw.py"] ?? ""
        #expect(
            text.hasPrefix("import math\nfrom lib.help import helper\n\n\nclass Shape:\n    pass\n\n\nclass Canvas:"),
            "\(text)")
        #expect(
            text.contains(
                """
                    def add(self, shape: Shape):
                        self.shapes.append(shape)

                    def clear(self, *args, **kwargs):
                        # Canvas.clear (atom 'clear') failed: see review/clear.md
                        raise NotImplementedError("Canvas.clear (atom 'clear') failed: see review/clear.md")

                    def size(self):
                """), "\(text)")
    }
}
