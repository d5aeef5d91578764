import Foundation
import Testing

@testable import AtomForge

/// The plan's `suite:` as `check` reads it: what it accepts, and every entry it refuses with what to fix.
@Suite("a plan's suite, as check reads it")
struct SuitePlanTests {
    static let atoms = """
        plan: tools
        language: python
        atoms:
          - {id: norm, name: norm, description: Strips s., file: text/tools.py}
        """

    func errors(_ suite: String) -> [String] {
        PlanChecker.check(text: Self.atoms + "\n" + suite).errors.map(\.description)
    }

    @Test("test files given inline are read with their language")
    func accepted() throws {
        let check = PlanChecker.check(
            text: Self.atoms + """

                suite:
                  - name: test_tools.py
                    code: |
                      from text.tools import norm
                      def test_norm():
                          assert norm(" a ") == "a"
                  - {name: conftest.py, code: "import pytest"}
                """)
        let plan = try #require(check.validPlan, "\(check.errors)")
        #expect(plan.suite.map(\.name) == ["test_tools.py", "conftest.py"])
        #expect(plan.suite.allSatisfy { $0.language.testRunner == .python })
        #expect(plan.suite[0].code.contains("assert norm"))
    }

    @Test("refused: not a list, no code, empty code, a name with a folder, a name given twice, a language not run")
    func refused() {
        #expect(errors("suite: test_tools.py").contains { $0.contains("'suite' must be a list of test files") })
        #expect(errors("suite: [{name: test_a.py}]").contains { $0.contains("suite[0]") && $0.contains("code") })
        #expect(errors("suite: [{name: test_a.py, code: '  '}]").contains { $0.contains("'code' is empty") })
        #expect(
            errors("suite: [{name: ../test_a.py, code: x}]").contains {
                $0.contains("must be a plain file name") && $0.contains("../test_a.py")
            })
        #expect(
            errors("suite: [{name: t.py, code: x}, {name: t.py, code: y}]").contains {
                $0.contains("suite[1]") && $0.contains("already named 't.py'")
            })
        #expect(errors("suite: [{name: t.ts, code: 'test()'}]").isEmpty)
        #expect(errors("suite: [{name: t.js, code: 'test()'}]").isEmpty)
        #expect(errors("suite: [{name: t.swift, code: 'func testX() {}'}]").isEmpty)
        #expect(
            errors("suite: [{name: t.cobol, code: x, language: cobol}]").contains {
                $0.contains("suites in cobol are not run yet")
                    && $0.contains(
                        "only Python (pytest), JavaScript and TypeScript (node --test) and Swift (test functions) suites"
                    )
            })
        #expect(
            errors("suite: [{path: tests/test_a.py}]").contains {
                $0.contains("needs the plan file's folder")
            })
        #expect(errors("suite: [{path: ../test_a.py}]").contains { $0.contains("would escape the plan's folder") })
        #expect(errors("suite: [{path: /etc/test_a.py}]").contains { $0.contains("not absolute") })
    }

    @Test("files named by path are read relative to the plan file's folder; missing ones and links out are refused")
    func paths() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("suite-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("tests"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "def test_a():\n    assert True\n".write(
            to: folder.appendingPathComponent("tests/test_a.py"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("tests/test_out.py").path, withDestinationPath: "/etc/hostname")
        func check(_ suite: String) throws -> PlanCheck {
            let plan = folder.appendingPathComponent("plan.yaml")
            try (Self.atoms + "\n" + suite).write(to: plan, atomically: true, encoding: .utf8)
            return PlanChecker.check(fileAt: plan.path)
        }
        let read = try #require(try check("suite: [{path: ./tests/test_a.py}]").validPlan)
        #expect(read.suite.map(\.name) == ["tests/test_a.py"])
        #expect(read.suite.first?.code.contains("def test_a") == true)
        let missing = try check("suite: [{path: tests/test_b.py}]").errors.map(\.description)
        #expect(missing.contains { $0.contains("'tests/test_b.py' does not exist") }, "\(missing)")
        let out = try check("suite: [{path: tests/test_out.py}]").errors.map(\.description)
        #expect(out.contains { $0.contains("leads out of the plan file's folder") }, "\(out)")
        // A link to a link out: every link on the way is followed before the folder is compared.
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("tests/sub").path, withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("tests/nested.py").path, withDestinationPath: "sub/hostname")
        let nested = try check("suite: [{path: tests/nested.py}]").errors.map(\.description)
        #expect(nested.contains { $0.contains("leads out of the plan file's folder") }, "\(nested)")
    }
}
