import Testing

@testable import AtomForge

/// What a method's attempt sees: its class as it stands (the code of the methods it depends on, the signatures of
/// the others written so far, a line for each still to come), and the validation program it runs in.
@Suite("class context and prompts")
struct ClassPromptTests {
    static let python = Language.named("python")

    static let atoms: [Atom] = [
        Atom(
            id: "helper", name: "clamp", description: "clamp(x) keeps x in 0...9.", file: "other.py", language: python),
        Atom(id: "stack", name: "Stack", description: "A stack.", file: "s.py", language: python, kind: .type),
        Atom(
            id: "push", name: "push", description: "push(self, item) puts item on top.", file: "s.py", language: python,
            kind: .method, parent: "stack"),
        Atom(
            id: "size", name: "size", description: "size(self) counts the items.", file: "s.py", language: python,
            kind: .method, parent: "stack"),
        Atom(
            id: "pop", name: "pop", description: "pop(self) removes the top item.", file: "s.py", language: python,
            dependsOn: ["push", "helper"], tests: "s = Stack()\ns.push(1)\nassert s.pop() == 1", kind: .method,
            parent: "stack"),
        Atom(
            id: "peek", name: "peek", description: "peek(self) the top item.", file: "s.py", language: python,
            kind: .method, parent: "stack"),
    ]

    static let code = [
        "helper": "def clamp(x):\n    return max(0, min(9, x))",
        "stack": "class Stack:\n    def __init__(self):\n        self.items = []",
        "push": "def push(self, item):\n    self.items.append(item)",
        "size": "def size(self):\n    \"\"\"How many items.\"\"\"\n    return len(self.items)",
    ]

    func context(for id: String) async -> AttemptContext {
        let passed = PassedCode(Self.code, atoms: Self.atoms, graph: DependencyGraph(Self.atoms))
        return await passed.context(for: Self.atoms.firstIndex { $0.id == id }!)
    }

    @Test("a method's prompt shows its class, its dependency's code, a signature for the rest and its place")
    func methodPrompt() async throws {
        let context = await context(for: "pop")
        #expect(context.allDependencies.map(\.atom.id) == ["helper"], "the class and its methods are in the class")
        let prompt = PromptBuilder().prompt(for: Self.atoms[4], attempt: 1, context: context, previous: nil)
        #expect(prompt.hasPrefix("Write the method `pop` of the python class `Stack`."))
        #expect(
            prompt.contains(
                """
                class Stack:
                    def __init__(self):
                        self.items = []

                    def push(self, item):
                        self.items.append(item)

                    def size(self):
                        \"\"\"How many items.\"\"\"
                        ...

                    # ← `pop` goes here

                    # peek: peek(self) the top item. (written separately)
                """))
        #expect(!prompt.contains("return len(self.items)"), "a method it does not depend on shows no body")
        #expect(prompt.contains("def clamp(x):"))
        #expect(prompt.hasSuffix("holding only the method `pop`; do not include the class or the tests."))
    }

    @Test("the program a method is validated in: its dependencies in full, stubs that raise for the others")
    func program() async throws {
        let context = await context(for: "pop")
        let scope = try #require(context.classScope)
        let (text, unit, _) = try #require(
            scope.program(placing: "def pop(self):\n    return self.items.pop()", for: Self.atoms[4]))
        #expect(text.contains("    def push(self, item):\n        self.items.append(item)"))
        #expect(
            text.contains(
                "    def size(self, *args, **kwargs):\n        raise NotImplementedError(\"Stack.size is a stub here"))
        let lines = ClassLayout.lines(text)
        #expect(
            Array(lines[(unit.lowerBound - 1)..<(unit.upperBound - 1)]) == [
                "    def pop(self):", "        return self.items.pop()",
            ])
    }

    @Test("a class's prompt lists the methods written apart, and its cut-off reply is salvaged inside one of them")
    func classPrompt() async throws {
        let context = await context(for: "stack")
        let prompt = PromptBuilder().prompt(for: Self.atoms[1], attempt: 1, context: context, previous: nil)
        #expect(prompt.hasPrefix("Write the python class `Stack`: its declaration, fields and constructor only."))
        #expect(
            prompt.contains(
                "Its methods are written separately, after it; do not write them:\n- `push`: push(self, item) puts item on top.\n- `size`:"
            ))
        let scope = try #require(context.classScope)
        let cut =
            "class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, item):\n        self.items.ap"
        #expect(
            scope.salvaging(cut, for: Self.atoms[1]) == "class Stack:\n    def __init__(self):\n        self.items = []"
        )
        #expect(scope.salvaging("class Stack:\n    def __init__(self):\n        self.it", for: Self.atoms[1]) == nil)
        let swift = ClassLayout(.named("swift"))!
        #expect(
            swift.salvaging(
                "struct S {\n    var x = 0\n    func push() {\n        x", removing: ["push"], className: "S")
                == "struct S {\n    var x = 0\n}")
    }

    @Test("another class an atom depends on is shown with the methods it depends on, no stubs")
    func otherClass() async throws {
        let atoms =
            Self.atoms + [
                Atom(
                    id: "user", name: "use", description: "use() pushes.", file: "u.py", language: Self.python,
                    dependsOn: ["push"])
            ]
        let passed = PassedCode(Self.code, atoms: atoms, graph: DependencyGraph(atoms))
        let context = await passed.context(for: atoms.count - 1)
        #expect(context.directDependencies.map(\.atom.id) == ["stack"])
        let shown = try #require(context.directDependencies.first?.code)
        #expect(
            shown
                == "class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, item):\n        self.items.append(item)"
        )
    }
}
