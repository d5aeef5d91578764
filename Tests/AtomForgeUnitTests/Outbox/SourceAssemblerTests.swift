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

    @Test("an atom that did not pass leaves a comment pointing at its review page")
    func failedAtom() {
        let plan = Plan(id: "p", atoms: [TestEngine.atom("gone", file: "m.py")])
        let files = SourceAssembler.assemble(plan, results: ["gone": AtomResult(id: "gone", status: .failed)])
        #expect(files["m.py"]?.contains("# atom 'gone' (gone) failed: see review/gone.md") == true, "\(files)")
    }
}
