import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// A plan's Swift suite compiled with the assembled tree by the real swiftc, each test run in the sandbox.
@Suite("a plan's Swift suite on the assembled tree")
struct SwiftSuiteRunnerTests {
    let runner = SuiteRunner(runner: ToolRunner.standard(ValidationSettings.forTests), testTimeout: .seconds(3))
    let swift = Language.named("swift")

    let tree = [
        "Sources/Math.swift": """
        func inner(_ x: Int) -> Int {
            let table = [1]
            return table[x] * 2
        }

        func twice(_ x: Int) -> Int { inner(x) }
        """
    ]

    func file(_ name: String, _ code: String) -> SuiteFile {
        SuiteFile(name: name, code: code, language: swift)
    }

    @Test("each test function runs alone: a failed precondition names its line, a trap in the tree gives its frames")
    func outcomes() async throws {
        let suite = [
            file(
                "MathTests.swift",
                """
                func testTwice() {
                    precondition(twice(0) == 2)
                }

                func testWrong() {
                    precondition(twice(0) == 3, "twice(0) is 2")
                }

                func testTrap() {
                    _ = twice(5)
                }

                func testThrows() throws {
                    struct Broken: Error {}
                    throw Broken()
                }

                func testLoops() {
                    while true {}
                }
                """)
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem == nil, "\(result)")
        let outcome = Dictionary(result.tests.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(outcome["suite/MathTests.swift::testTwice"]?.outcome == .passed, "\(result)")
        let wrong = try #require(outcome["suite/MathTests.swift::testWrong"])
        #expect(wrong.outcome == .failed)
        #expect(wrong.message?.contains("Precondition failed: twice(0) is 2") == true, "\(wrong)")
        #expect(wrong.line == "precondition(twice(0) == 3, \"twice(0) is 2\")", "\(wrong)")
        #expect(wrong.source?.hasPrefix("func testWrong() {") == true, "\(wrong)")
        let trap = try #require(outcome["suite/MathTests.swift::testTrap"])
        #expect(trap.message?.contains("Index out of range") == true, "\(trap)")
        // Innermost last: the callee where it trapped, under the caller the test called.
        #expect(trap.frames?.map(\.function) == ["twice", "inner"], "\(trap)")
        #expect(trap.frames?.last?.file == "Sources/Math.swift" && trap.frames?.last?.line == 3, "\(trap)")
        #expect(outcome["suite/MathTests.swift::testThrows"]?.message?.contains("error thrown: Broken()") == true)
        #expect(outcome["suite/MathTests.swift::testLoops"]?.message?.contains("did not finish within 3 s") == true)
        #expect(result.line == "1 passed, 4 failed")
    }

    @Test("a suite that does not compile with the tree cannot start; `only` runs the tests named")
    func cannotStartAndOnly() async throws {
        let broken = try #require(
            await runner.run([file("T.swift", "func testX() {\n    _ = missing(1)\n}\n")], tree: tree))
        #expect(broken.problem?.contains("does not compile") == true, "\(broken)")
        #expect(broken.problem?.contains("missing") == true, "\(broken)")
        let none = try #require(await runner.run([file("T.swift", "func helper() {}\n")], tree: tree))
        #expect(none.problem == "the Swift suite found no tests in the suite", "\(none)")
        let suite = [file("T.swift", "func testOne() {}\n\nfunc testTwo() {\n    precondition(false)\n}\n")]
        let picked = try #require(await runner.run(suite, tree: tree, only: ["suite/T.swift::testTwo"]))
        #expect(picked.tests.map(\.name) == ["suite/T.swift::testTwo"], "\(picked)")
        #expect(picked.failed == 1)
    }

    @Test("code that ends the program with status 0 before the test returned fails the test")
    func exitBeforeReturn() async throws {
        let exiting = ["Sources/Exit.swift": "import Glibc\n\nfunc leave() -> Int {\n    exit(0)\n}\n"]
        let result = try #require(
            await runner.run(
                [file("T.swift", "func testLeaves() {\n    precondition(leave() == 1)\n}\n")], tree: exiting))
        #expect(result.failed == 1, "\(result)")
        #expect(result.tests.first?.message?.contains("before the test returned") == true, "\(result)")
    }

    @Test("a suite's own main.swift is one test, passed when it exits 0")
    func ownMain() async throws {
        let passing = try #require(
            await runner.run([file("main.swift", "precondition(twice(0) == 2)\nprint(\"ok\")\n")], tree: tree))
        #expect(passing.tests.map(\.name) == ["suite/main.swift::main"] && passing.passes, "\(passing)")
        let failing = try #require(
            await runner.run([file("main.swift", "precondition(twice(0) == 4)\n")], tree: tree))
        #expect(failing.failed == 1 && failing.tests.first?.line == "precondition(twice(0) == 4)", "\(failing)")
    }
}
