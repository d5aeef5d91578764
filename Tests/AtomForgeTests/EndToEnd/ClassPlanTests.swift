import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// Plans of classes and methods through `atomforge run`, the scripted server and the real validators: each method is
/// asked for alone with its class shown, validated inside its class, and written into it in `src/`, where the file
/// imports (Python), type-checks (Swift) or loads (JavaScript) with a stub in place of a method that failed.
@Suite("classes and methods end to end", .serialized)
struct ClassPlanTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("classes")
        try writeConfig(
            retries: 1,
            """
            generation:
              max_attempts: 2
              ladder:
                - {kind: sample, temperature: 0.2}
                - {kind: repair, temperature: 0.8, repair_on: [syntax, compile, name, import, type, truncated, assertion]}
            execution:
              max_workers: 2
            validation:
              timeout_s: 300  # swiftc and node beside the other suites on two cores
            """)
    }

    func requests(containing text: String) async throws -> [ReceivedRequest] {
        try await server.requests().filter { $0.lastUserText.contains(text) }
    }

    func fenced(_ code: String, _ tag: String = "python") -> String { "```\(tag)\n\(code)\n```" }

    @Test("Python: a class and five methods, one repaired, one failed (a unittest case), one blocked")
    func python() async throws {
        try write(
            """
            plan: stack
            language: python
            atoms:
              - id: stack
                name: Stack
                description: A last-in first-out stack; `items` holds the items, bottom first.
                file: pkg/stack.py
                tests: |
                  assert Stack().items == []
              - id: push
                name: push
                description: push(self, item) puts item on top.
                file: pkg/stack.py
                parent: stack
                tests: |
                  s = Stack()
                  s.push(1)
                  assert s.items == [1]
              - id: pop
                name: pop
                description: pop(self) removes and returns the top item.
                file: pkg/stack.py
                parent: stack
                depends_on: [push]
                tests: |
                  def test_pop_returns_the_last_pushed():
                      s = Stack()
                      s.push(1)
                      s.push(2)
                      assert s.pop() == 2
              - id: peek
                name: peek
                description: peek(self) returns the top item without removing it.
                file: pkg/stack.py
                parent: stack
                depends_on: [push]
                tests: |
                  import unittest
                  class PeekTests(unittest.TestCase):
                      def test_peek(self):
                          s = Stack()
                          s.push(5)
                          self.assertEqual(s.peek(), 5)
                      def test_peek_keeps(self):
                          s = Stack()
                          s.push(5)
                          s.peek()
                          self.assertEqual(len(s.items), 1)
              - id: top_two
                name: top_two
                description: top_two(self) returns the top item twice, through peek.
                file: pkg/stack.py
                parent: stack
                depends_on: [peek]
              - id: size
                name: size
                description: size(self) is the number of items.
                file: pkg/stack.py
                parent: stack
                tests: "assert Stack().size() == 0"
            """, to: "plan.yaml")
        // The class, written with a method that is an atom of its own: the method is taken out.
        try await server.script(
            [
                [
                    "reply": fenced(
                        "class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, item):\n"
                            + "        self.items.append(item)")
                ]
            ], match: "class `Stack`: its declaration")
        // push: the whole class repeated around the method, with an example call after it.
        try await server.script(
            [
                [
                    "reply": fenced(
                        "class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, item):\n"
                            + "        self.items.append(item)\n\ns = Stack()\ns.push(3)\nprint(s.items)")
                ]
            ], match: "method `push`")
        // pop: wrong first (returns the bottom), then right.
        try await server.script(
            [
                ["reply": fenced("def pop(self):\n    return self.items.pop(0)")],
                ["reply": fenced("def pop(self):\n    return self.items.pop()")],
            ], match: "method `pop`")
        // peek: removes the item both times, so its second test fails.
        try await server.script(
            Array(repeating: ["reply": fenced("def peek(self):\n    return self.items.pop()")], count: 2),
            match: "method `peek`")
        // size: indented as inside the class.
        try await server.script(
            [["reply": fenced("    def size(self):\n        return len(self.items)")]], match: "method `size`")

        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1, "\(outcome.standardOutput)\n\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("4 passed, 1 failed, 1 blocked of 6"), "\(outcome.standardOutput)")

        // The class's prompt lists the methods written apart; a method's shows the class, its dependency's code,
        // and not the body of a method it does not depend on.
        let classPrompt = try #require(try await requests(containing: "class `Stack`: its declaration").first)
        #expect(classPrompt.lastUserText.contains("- `pop`: pop(self) removes and returns the top item."))
        let popPrompts = try await requests(containing: "method `pop`")
        #expect(popPrompts.count == 2)
        let firstPop = try #require(popPrompts.first).lastUserText
        #expect(firstPop.contains("class Stack:\n    def __init__(self):\n        self.items = []"))
        #expect(firstPop.contains("    def push(self, item):\n        self.items.append(item)"))
        #expect(firstPop.contains("# ← `pop` goes here"))
        #expect(firstPop.contains("# peek: peek(self) returns the top item without removing it. (written separately)"))
        #expect(!firstPop.contains("print(s.items)"))
        // The repair carries the failed method and the failing test, told as the test function.
        let repair = popPrompts[1].lastUserText
        #expect(repair.contains("return self.items.pop(0)"))
        #expect(
            repair.contains("1 of 1 tests failed:\n- test_pop_returns_the_last_pushed: test failed at tests line 5"))
        // Evaluated again, `s.pop()` gives another value: the values are not shown as if they had failed.
        #expect(repair.contains("(evaluated again the comparison holds: the expression changes state)"))

        let stackReport = try json("outbox/stack/atoms/stack/report.json")
        #expect(stackReport["kind"] as? String == "class")
        let stackCode = try #require((stackReport["attempts"] as? [[String: Any]])?.first?["code"] as? String)
        #expect(!stackCode.contains("def push"))
        let pushReport = try json("outbox/stack/atoms/push/report.json")
        #expect(pushReport["kind"] as? String == "method")
        #expect(pushReport["parent"] as? String == "stack")
        let pushAttempt = try #require((pushReport["attempts"] as? [[String: Any]])?.first)
        #expect(pushAttempt["code"] as? String == "def push(self, item):\n    self.items.append(item)")
        #expect(
            (pushAttempt["enclosing"] as? String)?.contains("raise NotImplementedError(\"Stack.pop is a stub here")
                == true)

        // peek failed on the unittest case's second test, each failure reported.
        let peek = try json("outbox/stack/atoms/peek/report.json")
        #expect(peek["status"] as? String == "failed")
        let peekIssue = try #require(
            ((peek["attempts"] as? [[String: Any]])?.last?["issues"] as? [[String: Any]])?.compactMap {
                $0["message"] as? String
            }.first { $0.contains("tests failed") })
        #expect(peekIssue.hasPrefix("1 of 2 tests failed:"), "\(peekIssue)")
        #expect(peekIssue.contains("PeekTests.test_peek_keeps: test failed at tests line 11"), "\(peekIssue)")
        #expect(peekIssue.contains("message: 0 != 1"), "\(peekIssue)")
        let review = try read("outbox/stack/review/peek.md")
        #expect(review.contains("## In its class"))
        #expect(review.contains("- a method of the class in atom `stack`"))
        #expect(try json("outbox/stack/atoms/top_two/report.json")["blocked_by"] as? String == "peek")

        // src/: the class with its methods in plan order, the failed and blocked ones as stubs that raise.
        let source = try read("outbox/stack/src/pkg/stack.py")
        let order = ["def __init__", "def push", "def pop", "def peek", "def top_two", "def size"].map {
            source.range(of: $0)?.lowerBound
        }
        #expect(order.allSatisfy { $0 != nil } && zip(order, order.dropFirst()).allSatisfy { $0! < $1! }, "\(source)")
        #expect(source.contains("# Stack.peek (atom 'peek') failed: see review/peek.md"))
        let check = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [
                "-c",
                "import sys; sys.path.insert(0, 'outbox/stack/src'); from pkg.stack import Stack\n"
                    + "s = Stack(); s.push(1); s.push(2); assert s.pop() == 2 and s.size() == 1\n"
                    + "try:\n    s.peek()\nexcept NotImplementedError as e:\n    print('stub:', e)",
            ], in: folder.path)
        #expect(check.status == 0, "\(check.standardError)")
        #expect(check.standardOutput.contains("stub: Stack.peek (atom 'peek') failed: see review/peek.md"))
    }

    @Test("Swift: a provided struct, mutating methods in extensions, the file type-checks with a failed one left out")
    func swift() async throws {
        try write(
            """
            plan: counter
            language: swift
            atoms:
              - id: counter
                name: Counter
                file: Sources/Counter.swift
                code: |
                  public struct Counter {
                      public private(set) var value = 0
                      public init() {}
                  }
              - id: increment
                name: increment
                description: "mutating func increment(by step: Int = 1): adds step to value."
                file: Sources/Counter.swift
                parent: counter
                tests: |
                  func testIncrement() {
                      var c = Counter()
                      c.increment(by: 2)
                      precondition(c.value == 2)
                  }
              - id: twice
                name: twice
                description: "mutating func twice(): increments by one two times, through increment."
                file: Sources/Counter.swift
                parent: counter
                depends_on: [increment]
                tests: |
                  var c = Counter()
                  c.twice()
                  assert(c.value == 2)
              - id: reset
                name: reset
                description: "mutating func reset(): sets value back to 0."
                file: Sources/Counter.swift
                parent: counter
            """, to: "plan.yaml")
        try await server.script(
            [["reply": fenced("mutating func increment(by step: Int = 1) {\n    value += step\n}", "swift")]],
            match: "method `increment`")
        try await server.script(
            [
                [
                    "reply": fenced(
                        "extension Counter {\n    mutating func twice() {\n        increment()\n        increment()\n    }\n}",
                        "swift")
                ]
            ], match: "method `twice`")
        // reset: not mutating, so it does not type-check, twice.
        try await server.script(
            Array(repeating: ["reply": fenced("func reset() {\n    value = 0\n}", "swift")], count: 2),
            match: "method `reset`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1, "\(outcome.standardOutput)\n\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("3 passed, 1 failed, 0 blocked of 4"), "\(outcome.standardOutput)")
        let counter = try json("outbox/counter/atoms/counter/report.json")
        #expect(counter["written_by"] as? String == "plan")
        #expect(((counter["attempts"] as? [[String: Any]])?.first?["kind"] as? String) == "plan")
        let twice = try #require(try await requests(containing: "method `twice`").first).lastUserText
        #expect(twice.contains("extension Counter {\n    mutating func increment(by step: Int = 1) {"))
        let reset = try json("outbox/counter/atoms/reset/report.json")
        let message = try #require(
            ((reset["attempts"] as? [[String: Any]])?.first?["issues"] as? [[String: Any]])?.first?["message"]
                as? String)
        #expect(message.contains("atom.swift:2:"), "the error's line is the method's own: \(message)")
        let source = try read("outbox/counter/src/Sources/Counter.swift")
        #expect(source.contains("extension Counter {\n    mutating func increment(by step: Int = 1) {"))
        #expect(source.contains("// reset: Counter.reset (atom 'reset') failed: see review/reset.md"))
        let check = try await CommandRunner.run(
            URL(fileURLWithPath: try #require(Toolchain.find("swiftc"))),
            ["-typecheck", "outbox/counter/src/Sources/Counter.swift"], in: folder.path)
        #expect(check.status == 0, "\(check.standardError)")
    }

    @Test("JavaScript: methods in the class body, test() calls each reported, the module loads with a stub")
    func javascript() async throws {
        try write(
            """
            plan: queue
            language: javascript
            atoms:
              - id: queue
                name: Queue
                file: queue.js
                code: |
                  class Queue {
                    constructor() {
                      this.items = [];
                    }
                  }
                  module.exports = { Queue };
              - id: enqueue
                name: enqueue
                description: enqueue(item) adds item at the back.
                file: queue.js
                parent: queue
                tests: |
                  const assert = require("node:assert");
                  test("adds", () => { const q = new Queue(); q.enqueue(1); assert.deepStrictEqual(q.items, [1]); });
              - id: dequeue
                name: dequeue
                description: dequeue() removes and returns the front item.
                file: queue.js
                parent: queue
                depends_on: [enqueue]
                tests: |
                  const assert = require("node:assert");
                  test("front first", () => { const q = new Queue(); q.enqueue(1); q.enqueue(2); assert.strictEqual(q.dequeue(), 1); });
                  test("empty", () => { assert.strictEqual(new Queue().dequeue(), undefined); });
            """, to: "plan.yaml")
        try await server.script(
            [["reply": fenced("function enqueue(item) {\n  this.items.push(item);\n}", "javascript")]],
            match: "method `enqueue`")
        try await server.script(
            Array(repeating: ["reply": fenced("dequeue() {\n  return this.items.pop();\n}", "javascript")], count: 2),
            match: "method `dequeue`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let dequeue = try json("outbox/queue/atoms/dequeue/report.json")
        let message = try #require(
            ((dequeue["attempts"] as? [[String: Any]])?.first?["issues"] as? [[String: Any]])?.compactMap {
                $0["message"] as? String
            }.first { $0.contains("tests failed") })
        #expect(
            message.hasPrefix(
                "1 of 2 tests failed:\n- front first: AssertionError: Expected values to be strictly equal"),
            "\(message)")
        let source = try read("outbox/queue/src/queue.js")
        #expect(source.contains("  enqueue(item) {\n    this.items.push(item);\n  }"), "\(source)")
        let check = try await CommandRunner.run(
            URL(fileURLWithPath: try #require(Toolchain.find("node"))),
            [
                "-e",
                "const { Queue } = require('./outbox/queue/src/queue.js'); const q = new Queue(); q.enqueue(3);"
                    + "try { q.dequeue(); } catch (e) { console.log('stub: ' + e.message); }",
            ], in: folder.path)
        #expect(check.status == 0, "\(check.standardError)")
        #expect(check.standardOutput.contains("stub: Queue.dequeue (atom 'dequeue') failed: see review/dequeue.md"))
    }
}
