import Testing

@testable import AtomForge

/// The text operations behind methods as atoms: a whole-class reply reduced to the one method, a method re-indented
/// into its class, planned methods taken out of a class reply, and stubs for methods that are not there.
extension ClassLayout {
    /// The placed text and lines, as a file holds them (imports in front).
    func placingText(_ methods: [Placement], in code: String, className: String) -> (String, [String: Range<Int>]) {
        placing(methods, in: code, className: className).withImportsInFront
    }
}

@Suite("class layout")
struct ClassLayoutTests {
    let python = ClassLayout(.named("python"))!
    let swift = ClassLayout(.named("swift"))!
    let javascript = ClassLayout(.named("javascript"))!

    @Test("a Python reply that repeats the whole class is reduced to the one method, dedented")
    func pythonWholeClass() {
        let reply = """
            class Stack:
                def __init__(self):
                    self.items = []

                @property
                def size(self):
                    return len(self.items)

                def push(self, item):
                    \"\"\"Put item on top.\"\"\"
                    self.items.append(item)

            s = Stack()
            """
        #expect(
            python.method(named: "push", in: reply, className: "Stack") == """
                def push(self, item):
                    \"\"\"Put item on top.\"\"\"
                    self.items.append(item)
                """)
        #expect(
            python.method(named: "size", in: reply, className: "Stack") == """
                @property
                def size(self):
                    return len(self.items)
                """)
        #expect(python.method(named: "pop", in: reply, className: "Stack") == nil)
    }

    @Test("an indented method and one among other top-level functions are taken alone")
    func pythonTopLevel() {
        let indented = "    def pop(self):\n        return self.items.pop()\n"
        #expect(
            python.method(named: "pop", in: indented, className: "Stack")
                == "def pop(self):\n    return self.items.pop()")
        let two = "def helper(x):\n    return x\n\ndef pop(self):\n    return helper(self.items.pop())\n\nprint(1)"
        #expect(
            python.method(named: "pop", in: two, className: "Stack")
                == "def pop(self):\n    return helper(self.items.pop())")
    }

    @Test("Python methods are placed at the end of the class body, re-indented; a missing one is a stub that raises")
    func pythonPlacing() {
        let skeleton =
            "class Stack:\n    \"\"\"A stack.\"\"\"\n\n    def __init__(self):\n        self.items = []\n\nLIMIT = 3"
        let (text, lines) = python.placingText(
            [
                .init(name: "push", code: "def push(self, item):\n    self.items.append(item)", stubNote: ""),
                .init(name: "pop", code: nil, stubNote: "Stack.pop is not written yet (atom stack_pop)"),
            ], in: skeleton, className: "Stack")
        #expect(
            text == """
                class Stack:
                    \"\"\"A stack.\"\"\"

                    def __init__(self):
                        self.items = []

                    def push(self, item):
                        self.items.append(item)

                    def pop(self, *args, **kwargs):
                        # Stack.pop is not written yet (atom stack_pop)
                        raise NotImplementedError("Stack.pop is not written yet (atom stack_pop)")

                LIMIT = 3
                """)
        let textLines = ClassLayout.lines(text)
        let range = lines["push"]!
        #expect(
            textLines[(range.lowerBound - 1)..<(range.upperBound - 1)] == [
                "    def push(self, item):", "        self.items.append(item)",
            ])
        #expect(lines["pop"] == nil)
    }

    @Test("a placed method's import lines are taken out and returned apart, each once, with how many lines they were")
    func placedImports() {
        let placed = python.placing(
            [
                .init(name: "a", code: "import re\n\ndef a(self):\n    return re.escape('x')", stubNote: ""),
                .init(name: "b", code: "import re\nimport math\ndef b(self):\n    return math.pi", stubNote: ""),
            ], in: "class T:\n    pass", className: "T")
        #expect(placed.imports == ["import re", "import math"])
        #expect(placed.importLines == ["a": 2, "b": 2])
        #expect(!placed.text.contains("import"))
        let (text, lines) = placed.withImportsInFront
        #expect(text.hasPrefix("import re\nimport math\n\nclass T:"))
        #expect(ClassLayout.lines(text)[lines["a"]!.lowerBound - 1] == "    def a(self):")
    }

    @Test("planned methods are taken out of a class reply; a body left empty gets a pass")
    func pythonRemoving() {
        let reply =
            "class Stack:\n    def push(self, x):\n        self.items.append(x)\n\n    def pop(self):\n        return 1\n"
        #expect(
            python.removingMembers(named: ["push", "pop"], from: reply, className: "Stack") == "class Stack:\n    pass")
        let kept = python.removingMembers(named: ["pop"], from: reply, className: "Stack")
        #expect(kept.contains("def push") && !kept.contains("def pop"))
    }

    @Test("Swift: a whole-type reply is reduced to the method; methods go in an extension each")
    func swiftMethods() {
        let reply = """
            struct Stack {
                var items: [Int] = []
                /// Adds one.
                mutating func push(_ item: Int) {
                    let text = "{ not a brace }"
                    items.append(item)
                }
                func peek() -> Int? { items.last }
            }
            """
        #expect(
            swift.method(named: "push", in: reply, className: "Stack") == """
                /// Adds one.
                mutating func push(_ item: Int) {
                    let text = "{ not a brace }"
                    items.append(item)
                }
                """)
        #expect(swift.method(named: "peek", in: reply, className: "Stack") == "func peek() -> Int? { items.last }")
        let skeleton = "struct Stack {\n    var items: [Int] = []\n}"
        let (text, lines) = swift.placingText(
            [
                .init(name: "peek", code: "func peek() -> Int? { items.last }", stubNote: ""),
                .init(name: "pop", code: nil, stubNote: "not written yet"),
            ],
            in: skeleton, className: "Stack")
        #expect(
            text
                == "struct Stack {\n    var items: [Int] = []\n}\n\nextension Stack {\n    func peek() -> Int? { items.last }\n}\n\n// pop: not written yet"
        )
        #expect(lines["peek"] == 6..<7)
        #expect(swift.memberNames(in: "public mutating func push(_ x: Int) {\n}\ninit(x: Int) {}") == ["push", "init"])
    }

    @Test("JavaScript: methods go before the class's closing brace; a free function becomes a method; stubs throw")
    func javascriptMethods() {
        let skeleton = "class Stack {\n  constructor() {\n    this.items = [];\n  }\n}\n\nmodule.exports = { Stack };"
        let (text, lines) = javascript.placingText(
            [
                .init(name: "push", code: "push(item) {\n  this.items.push(item);\n}", stubNote: ""),
                .init(name: "pop", code: nil, stubNote: "Stack.pop is not written yet"),
            ],
            in: skeleton, className: "Stack")
        #expect(
            text == """
                class Stack {
                  constructor() {
                    this.items = [];
                  }

                  push(item) {
                    this.items.push(item);
                  }

                  pop(...args) {
                    // Stack.pop is not written yet
                    throw new Error("Stack.pop is not written yet");
                  }
                }

                module.exports = { Stack };
                """)
        #expect(lines["push"] == 6..<9)
        #expect(
            javascript.method(
                named: "push", in: "function push(item) {\n  this.items.push(item);\n}", className: "Stack")
                == "push(item) {\n  this.items.push(item);\n}")
        let whole =
            "class Stack {\n  static of(x) { return new Stack(); }\n  async pop() {\n    return this.items.pop();\n  }\n}"
        #expect(
            javascript.method(named: "pop", in: whole, className: "Stack")
                == "async pop() {\n  return this.items.pop();\n}")
        #expect(javascript.memberNames(in: "push(item) {\n}\nget size() { return 1; }") == ["push", "size"])
        // An object literal's property, as small models write a method.
        #expect(
            javascript.method(named: "countOf", in: "countOf: function(word) {\n  return 1;\n},", className: "C")
                == "countOf(word) {\n  return 1;\n}")
        #expect(
            javascript.method(named: "total", in: "total: async () => {\n  return 2;\n}", className: "C")
                == "async total() {\n  return 2;\n}")
    }

    @Test("a signature shows the header and the docstring's first line, not the body")
    func signatures() {
        #expect(
            python.signature(
                of: "def push(self, item):\n    \"\"\"Put item on top.\n\n    More.\"\"\"\n    self.items.append(item)")
                == "def push(self, item):\n    \"\"\"Put item on top.\"\"\"\n    ...")
        #expect(
            swift.signature(of: "/// Adds.\nmutating func push(_ x: Int) {\n    items.append(x)\n}")
                == "/// Adds.\nmutating func push(_ x: Int) { … }")
    }

    @Test("odd replies: a type with its method in an extension, a getter and its setter, a one-line class")
    func oddShapes() {
        let extended =
            "struct Counter {\n    var value = 0\n}\n\nextension Counter {\n    mutating func twice() {\n        value += 2\n    }\n}"
        #expect(
            swift.method(named: "twice", in: extended, className: "Counter")
                == "mutating func twice() {\n    value += 2\n}")
        let property =
            "class T:\n    @property\n    def name(self):\n        return self._n\n\n    @name.setter\n    def name(self, v):\n        self._n = v\n"
        #expect(
            python.method(named: "name", in: property, className: "T")
                == "@property\ndef name(self):\n    return self._n\n\n@name.setter\ndef name(self, v):\n    self._n = v"
        )
        let one = javascript.placing(
            [.init(name: "add", code: "add(x) {\n  return x;\n}", stubNote: "")], in: "class Counter {}",
            className: "Counter")
        #expect(one.text == "class Counter {\n    add(x) {\n      return x;\n    }\n}")
        let error = python.placing(
            [.init(name: "code", code: "def code(self):\n    return 1", stubNote: "")], in: "class E(Exception): pass",
            className: "E")
        #expect(error.text == "class E(Exception):\n    pass\n\n    def code(self):\n        return 1")
    }

    @Test("JavaScript's private fields and regular expressions, and fields without a semicolon, are read right")
    func scriptSyntax() {
        let code =
            "class Stack {\n  #items = [];\n  greet = () => 'hi'\n  push(x) { this.#items.push(x); }\n  isURL(u) {\n    return /^https?:\\/\\/[{]/.test(u);\n  }\n}"
        let kept = javascript.removingMembers(named: ["push", "isURL"], from: code, className: "Stack")
        #expect(kept == "class Stack {\n  #items = [];\n  greet = () => 'hi'\n}")
        #expect(
            javascript.method(named: "isURL", in: code, className: "Stack")
                == "isURL(u) {\n  return /^https?:\\/\\/[{]/.test(u);\n}")
    }

    @Test("Swift: an initializer or an override goes in the type's body, a computed property is a member")
    func swiftBody() {
        let (text, lines) = swift.placingText(
            [
                .init(name: "init", code: "init(x: Int) {\n    self.x = x\n}", stubNote: ""),
                .init(name: "area", code: "var area: Double { 2 }", stubNote: ""),
            ],
            in: "final class Box {\n    let x: Int\n}", className: "Box")
        #expect(
            text
                == "final class Box {\n    let x: Int\n\n    init(x: Int) {\n        self.x = x\n    }\n}\n\nextension Box {\n    var area: Double { 2 }\n}"
        )
        #expect(lines["init"] == 4..<7 && lines["area"] == 10..<11)
        #expect(swift.memberNames(in: "var area: Double {\n    2\n}") == ["area"])
        #expect(swift.memberNames(in: "class override func make() -> Self { self }") == ["make"])
    }
}
