import AtomForgeTestSupport
import Testing

@testable import AtomForge

/// The built-in validators with the real toolchains.
@Suite("validators")
struct ValidatorTests {
    let chain = ValidatorChain.standard(ValidationSettings.forTests)

    func atom(_ language: String, name: String = "f", estimatedLOC: Int? = nil) -> Atom {
        Atom(
            id: "a", name: name, description: "d", file: "a.\(Language.named(language).fileExtensions[0])",
            language: .named(language), estimatedLOC: estimatedLOC)
    }

    func issues(_ code: String, _ atom: Atom) async -> [ValidationIssue] {
        await chain.validate(ValidationSubject(atom: atom, code: code, dependencyCode: []))
    }

    @Test(
        "good code passes in every language",
        arguments: [
            ("python", "def f(x):\n    return x + 1"),
            ("swift", "func f(_ x: Int) -> Int { x + 1 }"),
            ("javascript", "function f(x) { return x + 1; }"),
            ("typescript", "function f(x: number): number { return x + 1; }"),
        ])
    func goodCode(language: String, code: String) async {
        #expect(await issues(code, atom(language)).isEmpty)
    }

    @Test("a Python syntax error fails with the right line")
    func pythonSyntax() async {
        let found = await issues("def f(x):\n    y = 1\n    return (x +\n", atom("python"))
        let syntax = found.first { $0.validator == "python-syntax" }
        #expect(syntax?.severity == .error)
        #expect(syntax?.message.hasPrefix("atom.py:3:") == true)
    }

    @Test("a Swift syntax error fails with swiftc's line and message")
    func swiftSyntax() async {
        let found = await issues("func f(_ x: Int) -> Int {\n    return x +\n}\n", atom("swift"))
        let syntax = found.first { $0.validator == "swift-syntax" }
        #expect(syntax?.message.contains("atom.swift:3:1: error") == true, "\(found)")
    }

    @Test("Swift is type-checked against its dependencies")
    func swiftTypecheck() async {
        let atom = atom("swift")
        let wrongCall = await chain.validate(
            ValidationSubject(
                atom: atom, code: "func f() -> Int { twice(\"x\") }",
                dependencyCode: ["func twice(_ x: Int) -> Int { x * 2 }"]))
        #expect(wrongCall.first?.message.contains("atom.swift:1:") == true, "\(wrongCall)")
        let rightCall = await chain.validate(
            ValidationSubject(
                atom: atom, code: "func f() -> Int { twice(2) }",
                dependencyCode: ["func twice(_ x: Int) -> Int { x * 2 }"]))
        #expect(rightCall.isEmpty, "\(rightCall)")
    }

    @Test("a Swift atom's imports are in scope, and error lines stay the model's")
    func swiftImports() async {
        var atom = atom("swift")
        atom.imports = ["import Foundation"]
        let found = await chain.validate(
            ValidationSubject(atom: atom, code: "func f() -> Double {\n    sqrt(4.0) + nope\n}", dependencyCode: []))
        #expect(found.first?.message.contains("atom.swift:2:") == true, "\(found)")
        #expect(found.first?.message.contains("nope") == true)
        let fine = await chain.validate(
            ValidationSubject(atom: atom, code: "func f() -> Double { sqrt(4.0) }", dependencyCode: []))
        #expect(fine.isEmpty, "\(fine)")
    }

    @Test("a JavaScript syntax error fails with node's message")
    func javascriptSyntax() async {
        let found = await issues("function f(x) {\n  return x +;\n}\n", atom("javascript"))
        let syntax = found.first { $0.validator == "javascript-syntax" }
        #expect(syntax?.message.contains("atom.js:2") == true, "\(found)")
        #expect(syntax?.message.contains("SyntaxError") == true)
    }

    @Test("code that does not define the atom's name fails")
    func missingName() async {
        let found = await issues("def g():\n    return 1", atom("python"))
        #expect(found.map(\.message) == ["the code does not define `f`; the atom must define exactly that name"])
    }

    @Test("names defined by assignment, class or exported declarations count")
    func definitions() {
        #expect(StructuralValidator.defines("LIMIT", in: "LIMIT: int = 3", language: .named("python")))
        #expect(StructuralValidator.defines("Store", in: "class Store:\n    pass", language: .named("python")))
        #expect(StructuralValidator.defines("Point", in: "public struct Point: Sendable {}", language: .named("swift")))
        #expect(StructuralValidator.defines("f", in: "export function f() {}", language: .named("javascript")))
        #expect(!StructuralValidator.defines("f", in: "def fx():\n    pass", language: .named("python")))
    }

    @Test("empty code is critical and stops the chain")
    func empty() async {
        let found = await issues("  \n", atom("python"))
        #expect(found.map(\.severity) == [.critical])
    }

    @Test("code far larger than planned is only a warning")
    func tooLarge() async {
        let code = "def f():\n" + String(repeating: "    x = 1\n", count: 60) + "    return x"
        let found = await issues(code, atom("python", estimatedLOC: 5))
        #expect(found.map(\.severity) == [.warning])
    }

    @Test("a tool that runs too long is cut at the timeout")
    func timeout() async throws {
        let runner = ToolRunner(timeout: .milliseconds(300))
        let run = try await runner.run("sleep", ["10"], files: [:])
        #expect(run.timedOut)
    }

    @Test("the tool's environment holds no API key")
    func cleanEnvironment() async throws {
        let run = try await ToolRunner(timeout: .seconds(30)).run("env", [], files: [:])
        let names = run.output.split(separator: "\n").map { $0.split(separator: "=").first.map(String.init) ?? "" }
        #expect(!run.timedOut, "a loaded machine must not turn this into a timeout")
        #expect(Set(names).subtracting(["PWD"]) == ["PATH", "HOME", "TMPDIR", "LANG"])
    }
}

/// Atom tests with the real toolchains: the failure a model gets back.
@Suite("atom tests")
struct AtomTestValidatorTests {
    let chain = ValidatorChain.standard(ValidationSettings.forTests)

    func run(_ language: String, code: String, tests: String, dependencies: [String] = []) async -> [ValidationIssue] {
        let atom = Atom(
            id: "a", name: "slug", description: "d", file: "a.\(Language.named(language).fileExtensions[0])",
            language: .named(language), tests: tests)
        return await chain.validate(ValidationSubject(atom: atom, code: code, dependencyCode: dependencies))
    }

    @Test("a Python test failure names the assertion, its line and both values")
    func pythonFailure() async throws {
        let found = await run(
            "python", code: "def slug(text):\n    return text.lower().replace(' ', '_')",
            tests: "assert slug('A') == 'a'\nassert slug('Hello World') == 'hello-world'")
        let message = try #require(found.first { $0.validator == "tests" }?.message)
        #expect(message.hasPrefix("test failed at tests line 2: assert slug('Hello World') == 'hello-world'"))
        #expect(message.contains("got:      'hello_world'   (the value of slug('Hello World'))"))
        #expect(message.contains("expected: 'hello-world'"))
    }

    @Test("dependencies are in scope, and an error inside the code points at it")
    func pythonDependencies() async throws {
        #expect(
            await run(
                "python", code: "def slug(t):\n    return clean(t)", tests: "assert slug(' a ') == 'a'",
                dependencies: ["def clean(t):\n    return t.strip()"]
            ).isEmpty)
        let found = await run("python", code: "def slug(t):\n    return t.nope()", tests: "slug('x')")
        let message = try #require(found.first?.message)
        #expect(message.contains("AttributeError"))
        #expect(message.contains("your code line 2: return t.nope()"))
    }

    @Test("Swift tests compile and run with the code", arguments: [true, false])
    func swift(correct: Bool) async {
        let code = "func slug(_ s: String) -> String { s.lowercased()\(correct ? "" : " + \"!\"") }"
        let found = await run("swift", code: code, tests: "precondition(slug(\"A\") == \"a\", \"slug of A\")")
        if correct {
            #expect(found.isEmpty, "\(found)")
        } else {
            #expect(found.first?.message.contains("slug of A") == true, "\(found)")
        }
    }

    @Test("JavaScript tests run with node", arguments: [true, false])
    func javascript(correct: Bool) async {
        let code = "function slug(s) { return s.toLowerCase()\(correct ? "" : " + '!'"); }"
        let found = await run(
            "javascript", code: code, tests: "const assert = require('assert');\nassert.strictEqual(slug('A'), 'a');")
        if correct {
            #expect(found.isEmpty, "\(found)")
        } else {
            #expect(found.first?.message.contains("AssertionError") == true, "\(found)")
        }
    }

    @Test("a TypeScript syntax error fails with tsc's line and message")
    func typescriptSyntax() async {
        let found = await run("typescript", code: "function slug(x: number): number {\n  return x +;\n}\n", tests: "")
        let syntax = found.first { $0.validator == "typescript-syntax" }
        #expect(syntax?.message.contains("atom.ts(2,") == true, "\(found)")
    }

    @Test(
        "TypeScript tests run: transpiled by tsc, run by node, the failure placed in the TypeScript's parts",
        arguments: [true, false])
    func typescript(correct: Bool) async {
        let code = """
            interface Named { name: string }
            type Slug = string
            function slug(s: string): Slug { return s.toLowerCase()\(correct ? "" : " + '!'"); }
            """
        let found = await run(
            "typescript", code: code,
            tests:
                "declare function require(name: string): any;\nconst assert = require('assert');\n"
                + "assert.strictEqual(slug('A'), 'a');"
        )
        if correct {
            #expect(found.isEmpty, "\(found)")
        } else {
            let message = found.first?.message ?? ""
            #expect(message.contains("AssertionError"), "\(found)")
            #expect(message.contains("tests line 3"), "the place counted in the tests as written: \(message)")
        }
    }

    @Test(
        "TypeScript: a call to a dependency passes the syntax check (type errors are not syntax) and its tests run"
    )
    func typescriptDependency() async {
        let found = await run(
            "typescript", code: "function slug(s: string): string { return clean(s).toLowerCase(); }",
            tests: "if (slug(' A ') !== 'a') { throw new Error('bad slug'); }",
            dependencies: ["function clean(s: string): string { return s.trim(); }"])
        #expect(found.isEmpty, "\(found)")
    }

    @Test(
        "tests whose tools are missing fail the attempt, saying what to install; command languages named as in plans"
    )
    func availability() async {
        let runner = ToolRunner.standard(ValidationSettings.forTests)
        let typescript = Atom(
            id: "a", name: "slug", description: "d", file: "a.ts", language: .named("ts"), tests: "slug('a')")
        #expect(AtomTestValidator(runner: runner).applies(to: typescript))
        let missing = AtomTestValidator(runner: runner, available: [.python, .javascript])
        #expect(missing.applies(to: typescript), "an atom whose tests cannot run is not passed untested")
        let found = await missing.validate(
            ValidationSubject(atom: typescript, code: "function slug() {}", dependencyCode: []))
        #expect(found.first?.severity == .critical, "\(found)")
        #expect(found.first?.message.contains("tsc and node must be installed") == true, "\(found)")
        let command = CommandValidator(CommandSettings(name: "lint", run: ["true"], languages: ["js"]), runner: runner)
        #expect(
            command.applies(
                to: Atom(id: "a", name: "f", description: "d", file: "a.js", language: .named("javascript"))))
        #expect(
            !command.applies(to: Atom(id: "a", name: "f", description: "d", file: "a.py", language: .named("python"))))
    }

    @Test("a configured command runs on the atom's file; its output is the message")
    func command() async {
        var settings = ValidationSettings.forTests
        settings.commands = [
            CommandSettings(name: "no-print", run: ["sh", "-c", "! grep -n print {file}"], languages: ["python"])
        ]
        let atom = Atom(id: "a", name: "f", description: "d", file: "a.py", language: .named("python"))
        let found = await ValidatorChain.standard(settings).validate(
            ValidationSubject(atom: atom, code: "def f():\n    print(1)", dependencyCode: []))
        #expect(found.map(\.validator) == ["command:no-print"])
        #expect(found.first?.message == "2:    print(1)")
    }
}
