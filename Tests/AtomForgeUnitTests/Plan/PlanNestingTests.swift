import Testing

@testable import AtomForge

/// Classes and methods in a plan: `parent` and `kind`, the upstream planner's `parent_context`, provided `code`,
/// and every rule the checker holds them to, each message naming the atom and what to change.
@Suite("plan nesting")
struct PlanNestingTests {
    static let stack = """
        plan: stack
        language: python
        atoms:
          - id: stack
            name: Stack
            file: stack.py
            code: |
              class Stack:
                  def __init__(self):
                      self.items = []
          - id: push
            name: push
            description: Put an item on top.
            file: stack.py
            parent: stack
          - id: peek
            name: peek
            description: The top item.
            file: stack.py
            parent: stack
            depends_on: [push]
        """

    func check(_ text: String) -> PlanCheck { PlanChecker.check(text: text) }

    func errors(_ text: String) -> [String] {
        check(text).diagnostics.filter { $0.severity == .error }.map(\.message)
    }

    @Test("a parent makes a method and its class a type; provided code needs no description; methods wait for it")
    func valid() throws {
        let plan = try #require(check(Self.stack).validPlan)
        #expect(plan.atoms.map(\.kind) == [.type, .method, .method])
        #expect(plan.atoms[0].providedCode?.contains("self.items = []") == true)
        #expect(plan.atoms[2].requires == ["stack", "push"])
        #expect(check(Self.stack).levels == [["stack"], ["push"], ["peek"]])
    }

    @Test("the upstream planner's parent_context names the class, as text or in a mapping")
    func parentContext() throws {
        let text = Self.stack.replacing(
            "parent: stack\n    depends_on", with: "context: {parent_context: {class: Stack}}\n    depends_on"
        )
        .replacing("    parent: stack\n", with: "    context:\n      parent_context: class Stack\n")
        let plan = try #require(check(text).validPlan)
        #expect(plan.atoms.map(\.parent) == [nil, "stack", "stack"])
        #expect(plan.atoms.map(\.kind) == [.type, .method, .method])
        // A parent_context that names no atom stays text for the prompt.
        let other = Self.stack.replacing(
            "    parent: stack\n    depends_on: [push]", with: "    context: {parent_context: module level}")
        let free = try #require(check(other).validPlan)
        #expect(free.atoms[2].kind == .function && free.atoms[2].parent == nil)
        #expect(free.atoms[2].parentContext == "module level")
        // A mapping that says its scope is a function names no class, and an atom is never its own parent.
        let function = Self.stack.replacing(
            "    parent: stack\n    depends_on: [push]",
            with: "    context: {parent_context: {name: push, type: function}}")
        #expect(try #require(check(function).validPlan).atoms[2].parent == nil)
        let own = Self.stack.replacing(
            "    parent: stack\n    depends_on: [push]", with: "    context: {parent_context: peek}")
        #expect(try #require(check(own).validPlan).atoms[2].parent == nil)
    }

    @Test("a constructor method is validated with every other method of its class")
    func constructor() throws {
        let text = Self.stack.replacing(
            """
              - id: push
            """,
            with: """
                  - id: init
                    name: __init__
                    description: Start empty.
                    file: stack.py
                    parent: stack
                  - id: push
                """)
        let plan = try #require(check(text).validPlan)
        #expect(plan.atoms.first { $0.id == "push" }?.requires == ["stack", "init"])
        #expect(plan.atoms.first { $0.id == "peek" }?.requires == ["stack", "push", "init"])
        // A constructor that calls a method depends on it; that method does not wait for the constructor.
        let calling = text.replacing(
            "description: Start empty.\n", with: "description: Start empty.\n    depends_on: [push]\n")
        let cycleFree = try #require(check(calling).validPlan)
        #expect(cycleFree.atoms.first { $0.id == "push" }?.requires == ["stack"])
    }

    @Test("each nesting rule is an error that names the atom and the fix")
    func rules() {
        #expect(
            errors(Self.stack.replacing("parent: stack\n    depends_on", with: "parent: stak\n    depends_on"))
                == ["atom 'peek' names unknown parent 'stak' (did you mean 'stack'?)"])
        #expect(
            errors(
                Self.stack.replacing(
                    "  - id: push\n    name: push\n", with: "  - id: push\n    name: push\n    kind: method\n"
                ).replacing("    parent: stack\n    depends_on", with: "    kind: method\n    depends_on"))
                == ["atom 'peek' is a method but names no class; add 'parent: ID' with the id of its class's atom"])
        #expect(
            errors(Self.stack.replacing("parent: stack\n    depends_on", with: "parent: push\n    depends_on"))
                == [
                    "atom 'peek' names 'push' as its class, but 'push' is a method; a parent must be a class (kind: class)"
                ])
        let wrongFile = errors(
            Self.stack.replacing(
                "file: stack.py\n    parent: stack\n    depends_on",
                with: "file: other.py\n    parent: stack\n    depends_on"))
        #expect(
            wrongFile == [
                "method 'peek' is in other.py but its class 'stack' is in stack.py; a method goes in its class's file"
            ])
        let function = errors(Self.stack.replacing("    name: Stack\n", with: "    name: Stack\n    kind: function\n"))
        #expect(
            function.count == 2 && function.allSatisfy { $0.contains("is kind function; a parent must be a class") })
        #expect(
            errors(Self.stack.replacing("    name: Stack\n", with: "    name: Stack\n    kind: widget\n"))
                == ["atom 'stack': kind must be class, method or function, found 'widget'"])
        let nested = errors(Self.stack.replacing("    name: Stack\n", with: "    name: Stack\n    parent: peek\n"))
        #expect(nested.contains { $0.hasPrefix("parent cycle: ") && $0.contains("stack") && $0.contains("peek") })
        #expect(
            errors(
                Self.stack + "\n" + """
                      - id: inner
                        name: Inner
                        kind: class
                        description: A class in a class.
                        file: stack.py
                        parent: stack
                    """) == [
                    "atom 'inner' is a class inside class 'stack': nested classes are not supported; make it a top-level class (remove 'parent')"
                ])
        #expect(
            errors(
                Self.stack.replacing(
                    "    code: |\n      class Stack:\n          def __init__(self):\n              self.items = []\n",
                    with: "    code: \"  \"\n"))
                == ["atom 'stack': 'code' is empty; give the code, or remove 'code' to have it generated"])
    }

    @Test("methods of different classes may share a name; two in one class may not")
    func names() {
        let twoClasses =
            Self.stack + "\n" + """
                  - id: queue
                    name: Queue
                    description: A queue.
                    file: stack.py
                  - id: queue_peek
                    name: peek
                    description: The first item.
                    file: stack.py
                    parent: queue
                """
        #expect(errors(twoClasses).isEmpty)
        #expect(
            errors(twoClasses.replacing("parent: queue", with: "parent: stack"))
                == [
                    "atoms 'peek' and 'queue_peek' both define 'peek' in class 'stack' of stack.py; rename one or move it to another file"
                ])
    }
}
