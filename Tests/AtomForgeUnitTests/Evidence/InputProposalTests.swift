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
        #expect(
            InputProposal.calls(in: reply, name: "f", limit: 10) == ["f([1, 2, 3])", "f([])", "f([5])", "f(\"a\")"])
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

    @Test("asked for expectations: the values written out beside bare calls are kept, by call; anything else dropped")
    func expectations() {
        let atom = Atom(id: "a", name: "f", description: "Doubles.", file: "m.py", language: .named("python"))
        let reply = """
            assert f(1) == 2
            assert f(2) == expected
            assert f(3) == 6 or 7
            assert len(f(4)) == 1
            assert f(5) == f(4) + 2
            f(6)
            assert f(7) == -14
            """
        let calls = InputProposal.calls(in: reply, name: "f", limit: 10)
        #expect(calls == ["f(1)", "f(2)", "f(3)", "f(4)", "f(5)", "f(6)", "f(7)"])
        #expect(InputProposal.expectations(in: reply, of: atom, calls: calls) == ["f(1)": "2", "f(7)": "-14"])
        #expect(InputProposal.expectations(in: reply, of: atom, calls: ["f(1)"]) == ["f(1)": "2"])
        let (_, prompt) = InputProposal.request(for: atom, count: 6, examples: [], expecting: true)
        #expect(prompt.contains("assert f(...) == expected"))
        #expect(prompt.contains("Doubles."))
    }
}
