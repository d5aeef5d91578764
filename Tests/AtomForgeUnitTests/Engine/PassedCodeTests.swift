import Testing

@testable import AtomForge

@Suite("passed code as context")
struct PassedCodeTests {
    @Test("later prompts show the nearest passed atoms of the file, at most eight, never the whole file")
    func siblingsAreBounded() async {
        let atoms = (0..<100).map {
            Atom(
                id: "a\($0)", name: "a\($0)", description: "d", file: "big.py", language: .named("python"),
                dependsOn: $0 == 50 ? ["a10"] : [])
        }
        var code: [String: String] = [:]
        for atom in atoms where atom.id != "a49" { code[atom.id] = "def \(atom.id)(): ..." }
        let passed = PassedCode(code, atoms: atoms, graph: DependencyGraph(atoms))
        let context = await passed.context(for: 50)
        #expect(context.directDependencies.map(\.atom.id) == ["a10"])
        // a49 has not passed and a10 is a dependency: the nearest others, in plan order.
        #expect(context.siblings.map(\.atom.id) == ["a45", "a46", "a47", "a48", "a51", "a52", "a53", "a54"])
    }
}
