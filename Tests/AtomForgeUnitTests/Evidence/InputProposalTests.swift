import Testing

@testable import AtomForge

@Suite("inputs the model proposes")
struct InputProposalTests {
    @Test("one call per line, its expected value dropped, each once, within the limit")
    func calls() {
        let reply = """
            f([1, 2, 3])
            assert f([]) == 0
            print(f([5]))
            f([1, 2, 3])
            f([1, ...])
            f([1,
            g(2)
            f("a")
            """
        #expect(InputProposal.calls(in: reply, name: "f", limit: 10) == ["f([1, 2, 3])", "f([])", "f([5])", "f(\"a\")"])
        #expect(InputProposal.calls(in: reply, name: "f", limit: 2) == ["f([1, 2, 3])", "f([])"])
    }

    @Test("the request shows the description and the known calls, never a candidate's code")
    func request() {
        let atom = Atom(
            id: "a", name: "total", description: "Sums a list.", file: "m.py", language: .named("python"))
        let (_, prompt) = InputProposal.request(for: atom, count: 6, examples: ["total([1, 2])"])
        #expect(prompt.contains("Sums a list."))
        #expect(prompt.contains("total([1, 2])"))
        #expect(prompt.contains("6 different calls"))
    }
}
