import AtomForgeTestSupport
import Foundation
import Testing

@testable import AtomForge

/// The evidence machinery on the real toolchains and the real sandbox: examples read from descriptions run as
/// checks in every language, code without tests is loaded, and the behaviour probe's values, inputs and limits.
@Suite("evidence with real toolchains")
struct EvidenceRunTests {
    let chain = ValidatorChain.standard(ValidationSettings.forTests)

    func atom(_ language: String, name: String, description: String = "d", tests: String? = nil) -> Atom {
        Atom(
            id: "a", name: name, description: description, file: "a.\(Language.named(language).fileExtensions[0])",
            language: .named(language), tests: tests)
    }

    /// The issues of `code` checked against the examples of `description`.
    func checked(_ code: String, _ language: String, name: String, description: String) async -> [ValidationIssue] {
        let atom = atom(language, name: name, description: description)
        let examples = DescriptionExamples.read(description, name: name, language: atom.language)
        #expect(!examples.isEmpty, "an example was read from: \(description)")
        let subject = ValidationSubject(
            atom: atom, code: code, dependencyCode: [],
            checks: DescriptionExample.tests(examples, language: atom.language))
        return await chain.validate(subject)
    }

    @Test(
        "an example passes right code and fails wrong code, in every language",
        arguments: [
            (
                "python", "Doubles.\n>>> double(3)\n6", "def double(n):\n    return n * 2",
                "def double(n):\n    return n + 2"
            ),
            (
                "javascript", "double(3) === 6", "function double(n) { return n * 2; }",
                "function double(n) { return n + 2; }"
            ),
            (
                "typescript", "double(3) -> 6", "function double(n: number): number { return n * 2; }",
                "function double(n: number): number { return n + 2; }"
            ),
            (
                "swift", "`double(3)` returns `6`", "func double(_ n: Int) -> Int { n * 2 }",
                "func double(_ n: Int) -> Int { n + 2 }"
            ),
        ])
    func examplesInEveryLanguage(language: String, description: String, right: String, wrong: String) async {
        let good = await checked(right, language, name: "double", description: description)
        #expect(good.filter(\.severity.fails).isEmpty, "\(good)")
        let bad = await checked(wrong, language, name: "double", description: description)
        #expect(bad.contains { $0.validator == "tests" && $0.severity.fails }, "\(bad)")
    }

    @Test("a failing example says which and shows both values")
    func exampleFeedback() async {
        let found = await checked(
            "def slug(s):\n    return s.lower()", "python", name: "slug",
            description: "Makes slugs, e.g. 'A b' -> 'a-b'")
        let message = found.first { $0.validator == "tests" }?.message ?? ""
        #expect(message.contains("assert slug('A b') == 'a-b'"), "\(message)")
        #expect(message.contains("'a b'"), "\(message)")
    }

    @Test("a Python name nothing defines fails the code before any call reaches it; names defined anywhere pass")
    func undefinedNames() async {
        let python = atom("python", name: "join")
        let missing = await chain.validate(
            ValidationSubject(
                atom: python,
                code: "def join(left, right):\n    if not left:\n        return []\n    return [x for x in left_seq]",
                dependencyCode: []))
        let issue = missing.first { $0.severity.fails }
        #expect(issue?.message.contains("join() reads `left_seq` at your code line 4") == true, "\(missing)")
        #expect(FailureKind.classify(missing, truncated: false) == .name)
        // Defined by a dependency, an import, a later global, a builtin, a `global` statement, a nested function's
        // enclosing scope: none is missing.
        let fine = await chain.validate(
            ValidationSubject(
                atom: python,
                code: """
                    import math
                    from itertools import *

                    def join(left, right):
                        global counter
                        counter = 1
                        def inner():
                            return right + [helper(counter), math.pi, len(left), chain, LIMIT, __name__]
                        return inner()

                    LIMIT = 3
                    """,
                dependencyCode: ["def helper(x):\n    return x"]))
        #expect(fine.filter(\.severity.fails).isEmpty, "\(fine)")
        // An import that may fail, a name another atom of the plan defines (a later one: a subclass, a mutual
        // recursion): maybe missing, never undefined.
        var optional = ValidationSubject(
            atom: python,
            code: """
                try:
                    import numpy as np
                except ImportError:
                    np = None

                def join(left, right):
                    if np is not None:
                        return np.concatenate([left, right])
                    return Circle(left + right)
                """,
            dependencyCode: [])
        #expect(await chain.validate(optional).contains { $0.message.contains("`Circle`") })
        optional.knownNames = ["join", "Circle"]
        let known = await chain.validate(optional)
        #expect(known.filter(\.severity.fails).isEmpty, "\(known)")
        // With tests that never reach the line, the name is still found.
        let tested = await chain.validate(
            ValidationSubject(
                atom: atom("python", name: "join", tests: "assert join([], []) == []"),
                code: "def join(left, right):\n    if not left:\n        return []\n    return [x for x in left_seq]",
                dependencyCode: []))
        #expect(tested.contains { $0.message.contains("`left_seq`") && $0.severity.fails }, "\(tested)")
    }

    @Test("code with no tests is still run: a bad import or a raising statement fails it, in Python and JavaScript")
    func loading() async {
        let python = atom("python", name: "total")
        let importing = await chain.validate(
            ValidationSubject(
                atom: python, code: "from collections import reduce\n\ndef total(xs):\n    return 0",
                dependencyCode: []))
        #expect(importing.contains { $0.message.contains("ImportError") && $0.severity.fails }, "\(importing)")
        let fine = await chain.validate(
            ValidationSubject(atom: python, code: "def total(xs):\n    return sum(xs)", dependencyCode: []))
        #expect(fine.filter(\.severity.fails).isEmpty, "\(fine)")
        #expect(chain.runs(python))
        let javascript = atom("javascript", name: "total")
        let throwing = await chain.validate(
            ValidationSubject(
                atom: javascript, code: "const table = undefined.x;\nfunction total(xs) { return 0; }",
                dependencyCode: []))
        #expect(throwing.contains { $0.validator == "tests" && $0.severity.fails }, "\(throwing)")
    }

    func behaviour(_ code: String, name: String = "f", seeds: [String], limit: Int = 24) async -> Behaviour? {
        let probe = BehaviourProbe(runner: ToolRunner.standard(ValidationSettings.forTests), maxInputs: limit)
        return await probe.behaviour(
            of: ValidationSubject(atom: atom("python", name: name), code: code, dependencyCode: []), seeds: seeds)
    }

    @Test("values are compared as tests compare them; exceptions and timeouts are outputs; None shows the arguments")
    func probeValues() async throws {
        let code = """
            import time
            def f(kind):
                if kind == 'bool': return True
                if kind == 'float': return 2.0
                if kind == 'set': return {3, 1, 2}
                if kind == 'dict': return {'b': 1, 'a': 2}
                if kind == 'raise': raise ValueError(kind)
                if kind == 'loop':
                    while True: time.sleep(0.01)
                if kind == 'gen': return (i for i in range(2))
                return None
            """
        let seeds = [
            "f('bool')", "f('float')", "f('set')", "f('dict')", "f('raise')", "f('loop')", "f('gen')", "f('x')",
        ]
        let found = try #require(await behaviour(code, seeds: seeds))
        #expect(Array(found.inputs.prefix(8)) == seeds)
        #expect(
            Array(found.outputs.prefix(8)) == [
                "1", "2", "set{1,2,3}", "{'a':2,'b':1}", "raise ValueError", "timeout", "iter[0,1]",
                "None after (['x'],{})",
            ])
    }

    @Test("inputs are derived from literal arguments, the same for every candidate, within the limit")
    func derivedInputs() async throws {
        let first = try #require(await behaviour("def f(xs, n):\n    return xs[:n]", seeds: ["f([3, 1, 2], 2)"]))
        let second = try #require(await behaviour("def f(xs, n):\n    return xs[-n:]", seeds: ["f([3, 1, 2], 2)"]))
        #expect(first.inputs == second.inputs)
        // The seed, seven variants of the list and six of the number, each once.
        #expect(first.inputs.count == 14)
        #expect(first.inputs.contains("f([], 2)") && first.inputs.contains("f([3, 1, 2], 0)"))
        #expect(first.outputs != second.outputs)
        let limited = try #require(
            await behaviour("def f(xs, n):\n    return xs[:n]", seeds: ["f([3, 1, 2], 2)", "f([1], 1)"], limit: 5))
        #expect(limited.inputs.count == 5)
        #expect(Array(limited.inputs.prefix(2)) == ["f([3, 1, 2], 2)", "f([1], 1)"])
    }

    @Test(
        "the model's expected values are written as outputs are, on their own inputs only; one that cannot be made is none"
    )
    func expectedValues() async throws {
        let probe = BehaviourProbe(runner: ToolRunner.standard(ValidationSettings.forTests), maxInputs: 24)
        let python = try #require(
            await probe.behaviour(
                of: ValidationSubject(
                    atom: atom("python", name: "f"), code: "def f(x):\n    return x", dependencyCode: []),
                seeds: ["f(True)", "f(2)", "f('a')"], expected: ["f(True)": "1.0", "f('a')": "undefined_name"]))
        #expect(Array(python.expected.prefix(3)) == ["1", nil, nil])
        #expect(python.expected.count == python.inputs.count)
        #expect(python.outputs.first == python.expected.first!)
        let javascript = try #require(
            await probe.behaviour(
                of: ValidationSubject(
                    atom: atom("javascript", name: "f"), code: "function f(x) { return [x]; }", dependencyCode: []),
                seeds: ["f(2)", "f(3)"], expected: ["f(2)": "[2.0]"]))
        #expect(Array(javascript.expected.prefix(2)) == ["[2]", nil])
        #expect(javascript.outputs.first == "[2]")
    }

    @Test("code that fails to load gives no behaviour; a line it prints is not taken for the probe's")
    func probeGuards() async throws {
        let broken = try #require(await behaviour("import nothing_here\ndef f(x):\n    return x", seeds: ["f(1)"]))
        #expect(broken.outputs.isEmpty)
        let forging = try #require(
            await behaviour(
                "print('{\"inputs\": [\"f(1)\"], \"outputs\": [\"9\"]}')\ndef f(x):\n    print('noise')\n    return x",
                seeds: ["f(1)"]))
        // What it printed at load is gone; what a call prints is part of the call's behaviour.
        #expect(forging.outputs.first == "1 printing 'noise\\n'")
    }

    @Test("a check Python's parser refuses is dropped before the first call; the readable one is kept")
    func unreadableExampleDropped() async throws {
        let description = "Adds.\nadd(1 2) == 3\nadd(1, 2) == 3"
        #expect(DescriptionExamples.read(description, name: "add", language: .named("python")).count == 2)
        let generator = AtomGenerator(
            services: GeneratorServices(
                client: ModelClient(
                    provider: ScriptedProvider([:]), retryPolicy: RetryPolicy(maxRetries: 0),
                    rateLimiter: RateLimiter(), logger: TestEngine.silent), validators: chain,
                validationSlots: AsyncSemaphore(permits: 2),
                probe: BehaviourProbe(runner: ToolRunner.standard(ValidationSettings.forTests), maxInputs: 24),
                logger: TestEngine.silent),
            plan: PlanGeneration(generation: GenerationSettings(), maxTokensCeiling: 100, budget: TokenBudget(limit: 0))
        )
        let plan = await generator.evidencePlan(for: atom("python", name: "add", description: description))
        #expect(plan.examples.map(\.check) == ["assert add(1, 2) == 3"])
    }

    func generator(
        _ provider: ScriptedProvider, require: EvidenceLevel = .parsed, evidence: EvidenceSettings = EvidenceSettings()
    ) -> AtomGenerator {
        var generation = GenerationSettings()
        generation.ladder = [
            LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8, candidates: 2),
        ]
        generation.maxAttempts = 6
        return AtomGenerator(
            services: GeneratorServices(
                client: ModelClient(
                    provider: provider, retryPolicy: RetryPolicy(maxRetries: 0), rateLimiter: RateLimiter(),
                    logger: TestEngine.silent), validators: chain, validationSlots: AsyncSemaphore(permits: 2),
                probe: BehaviourProbe(runner: ToolRunner.standard(ValidationSettings.forTests), maxInputs: 24),
                logger: TestEngine.silent),
            plan: PlanGeneration(
                generation: generation, maxTokensCeiling: 100, evidence: evidence, require: require,
                budget: TokenBudget(limit: 0)))
    }

    @Test("an atom with examples stops at its first pass; with_examples compares its candidates too")
    func examplesStopTheLadder() async throws {
        func provider() -> ScriptedProvider {
            ScriptedProvider([
                "double": [
                    .code("def double(n):\n    return n * 2"), .code("def double(n):\n    return n + n"),
                    .code("def double(n):\n    return 2 * n"),
                ],
                "": [.text("double(0)\ndouble(-4)")],
            ])
        }
        let atom = atom("python", name: "double", description: "Doubles n, e.g. double(3) -> 6")
        let plain = provider()
        let first = try await generator(plain).generate(atom, context: AttemptContext())
        #expect(first.attempts.count == 1 && plain.requests.count == 1)
        #expect(first.evidence?.level == .examples && first.evidence?.agreement == nil)
        var settings = EvidenceSettings()
        settings.agreement.withExamples = true
        let voting = provider()
        let compared = try await generator(voting, evidence: settings).generate(atom, context: AttemptContext())
        #expect(compared.attempts.count == 3 && voting.requests.count == 4)
        #expect(compared.evidence?.level == .examples && compared.evidence?.agreement?.holds == true)
    }

    @Test("the ladder samples on after a pass, asks for inputs once, and accepts the code most candidates agree with")
    func generatorVote() async throws {
        // The proposal's prompt names no atom the way code prompts do: it is scripted under "".
        let provider = ScriptedProvider([
            "larger": [
                .code("def larger(a, b):\n    return a"), .code("def larger(a, b):\n    return max(a, b)"),
                .code("def larger(a, b):\n    return b if b > a else a"),
            ],
            "": [.text("```python\nlarger(1, 2)\nlarger(3, 1)\n```")],
        ])
        let atom = atom("python", name: "larger", description: "The larger of a and b.")
        let result = try await generator(provider).generate(atom, context: AttemptContext())
        #expect(result.status == .passed)
        #expect(result.code?.contains("max(a, b)") == true)
        #expect(result.attempts.count == 3)
        #expect(result.evidence?.level == .agreement)
        #expect(result.evidence?.agreement?.members == [[2, 3], [1]])
        #expect(result.evidenceCalls?.count == 1)
        #expect(provider.requests.count == 4)
        // Every model call is paid for in the result's tokens: three attempts and the proposal.
        #expect(result.tokens.input == 400)
    }

    @Test("a candidate that raises on inputs the others accept loses the vote")
    func crashLoses() async throws {
        let provider = ScriptedProvider([
            "first": [
                .code("def first(xs):\n    return xs[0]"), .code("def first(xs):\n    return xs[0] if xs else None"),
                .code("def first(xs):\n    return next(iter(xs), None)"),
            ],
            "": [.text("first([1, 2])\nfirst([])\nfirst([7])")],
        ])
        let atom = atom("python", name: "first", description: "The first item of xs, or None when it is empty.")
        let result = try await generator(provider).generate(atom, context: AttemptContext())
        #expect(result.evidence?.attempt == 2)
        #expect(result.evidence?.agreement?.members == [[2, 3], [1]])
        #expect(result.evidence?.agreement?.disagreements.first?.input == "first([])")
    }

    @Test("validation.require above what held: the atom fails, its code kept for review")
    func required() async throws {
        let provider = ScriptedProvider(["one": [.code("def one():\n    return 1")], "": [.text("one()")]])
        let atom = atom("python", name: "one", description: "Returns one.")
        let result = try await generator(provider, require: .examples).generate(atom, context: AttemptContext())
        #expect(result.status == .failed)
        #expect(result.code?.contains("return 1") == true)
        #expect(result.reason?.contains("validation.require asks for examples") == true)
        // Three copies of one reply won the vote but compared no two programs: the code only ran.
        #expect(result.evidence?.level == .loaded)
        #expect(result.evidence?.agreement?.distinct == 1)
    }

    @Test("the probe runs dataclasses, awaits coroutines, sees prints, and cuts a call that swallows its timeout")
    func probeEdges() async throws {
        let code = """
            from __future__ import annotations
            from dataclasses import dataclass

            @dataclass
            class Point:
                x: int

            async def later(n):
                return n

            def f(kind):
                if kind == 'point': return Point(1)
                if kind == 'print': print('hi')
                if kind == 'async': return later(3)
                if kind == 'stubborn':
                    while True:
                        try:
                            pass
                        except BaseException:
                            pass
                return 0
            """
        let found = try #require(
            await behaviour(code, seeds: ["f('point')", "f('print')", "f('async')", "f('stubborn')", "f(10**10**8)"]))
        #expect(
            Array(found.outputs.prefix(5)) == [
                "Point(x=1)", "0 printing 'hi\\n'", "3", "timeout", "timeout",
            ])
    }

    @Test("the assembled tree: a name defined twice and an import that fails are found and placed")
    func treeCheck() async throws {
        let check = SourceTreeCheck(runner: ToolRunner.standard(ValidationSettings.forTests))
        let python = Language.named("python")
        func file(_ path: String, _ text: String) -> AssembledFile {
            AssembledFile(path: path, language: python, text: text, regions: [], imports: [])
        }
        let failures = await check.check([
            "pkg/a.py": file("pkg/a.py", "def norm(s):\n    return s\n\n\ndef norm(s):\n    return 1\n"),
            "pkg/b.py": file("pkg/b.py", "from pkg.a import norm\nfrom collections import reduce\n"),
            "pkg/c.py": file("pkg/c.py", "from pkg.a import norm\n\n\ndef ok():\n    return norm('x')\n"),
        ]).failures
        #expect(failures.map(\.file) == ["pkg/a.py", "pkg/b.py"])
        #expect(failures[0].message.contains("`norm` is defined twice (lines 1 and 5)"))
        #expect(failures[0].symbol == "norm" && failures[1].symbol == nil)
        #expect(failures[0].place?.line == 5)
        #expect(failures[1].message.hasPrefix("ImportError: cannot import name 'reduce'"))
        #expect(failures[1].place?.file == "pkg/b.py" && failures[1].place?.line == 2)
    }

    @Test(
        "the assembled JavaScript tree: each file loaded as CommonJS, requiring the others; a function declared twice and an exception at load placed in the file it came from"
    )
    func javascriptTreeCheck() async throws {
        let check = SourceTreeCheck(runner: ToolRunner.standard(ValidationSettings.forTests))
        let javascript = Language.named("javascript")
        func file(_ path: String, _ text: String) -> AssembledFile {
            AssembledFile(path: path, language: javascript, text: text, regions: [], imports: [])
        }
        let tree = [
            "lib/a.js": file(
                "lib/a.js", "function norm(s) {\n  return s;\n}\n\n\nfunction norm(s) {\n  return 1;\n}\n"),
            // Needs b.js's table at load, and requires it as the assembled tree's files do.
            "lib/c.js": file(
                "lib/c.js",
                "const path = require('path');\nconst { table } = require('./b.js');\nconst size = table.length;\n"
                    + "function ok() { return size; }\nmodule.exports = { ok };\n"),
            "lib/b.js": file("lib/b.js", "const table = [1, 2];\nmodule.exports = { table };\n"),
            // The same top-level name as b.js: fine, each file is loaded apart from the others.
            "lib/d.js": file(
                "lib/d.js", "const table = 3;\nfunction fine() { return 1; }\n\n\nconst broken = missing.x;\n"),
            "lib/e.js": file("lib/e.js", "function helper() {\n  return undefinedThing.y;\n}\nhelper();\n"),
            // Requires d.js, which fails at load: that failure is d.js's, not said twice.
            "lib/f.js": file("lib/f.js", "const { fine } = require('./d.js');\n"),
        ]
        let outcome = await check.check(tree)
        #expect(outcome.unchecked.isEmpty)
        let failures = outcome.failures
        #expect(failures.map(\.file) == ["lib/a.js", "lib/d.js", "lib/e.js"], "\(failures)")
        #expect(failures.first?.message.contains("`norm` is defined twice (lines 1 and 6)") == true)
        #expect(failures.first?.place?.line == 6 && failures.first?.symbol == "norm")
        #expect(failures[1].message == "ReferenceError: missing is not defined")
        #expect(failures[1].place == .init(file: "lib/d.js", line: 5, function: "<module>"))
        // An exception inside a function called at load: placed in that function.
        #expect(failures[2].place == .init(file: "lib/e.js", line: 2, function: "helper"), "\(failures[2])")
        // Without the file it requires, c.js fails where it requires it.
        var alone = tree
        alone["lib/b.js"] = nil
        let missing = await check.check(alone).failures.first { $0.file == "lib/c.js" }
        #expect(missing?.message.contains("Cannot find module './b.js'") == true, "\(String(describing: missing))")
        #expect(missing?.place?.line == 2, "\(String(describing: missing))")
    }

    @Test("the assembled Swift tree compiles as one module: a declaration made twice and a top-level statement placed")
    func swiftTreeCheck() async throws {
        let check = SourceTreeCheck(runner: ToolRunner.standard(ValidationSettings.forTests))
        let swift = Language.named("swift")
        func file(_ path: String, _ text: String) -> AssembledFile {
            AssembledFile(path: path, language: swift, text: text, regions: [], imports: [])
        }
        let outcome = await check.check([
            "Sources/A.swift": file("Sources/A.swift", "func norm(_ s: String) -> String { s }\n"),
            "Sources/B.swift": file(
                "Sources/B.swift", "func twice(_ s: String) -> String { norm(s) + norm(s) }\n\n\nprint(twice(\"a\"))\n"),
            "Sources/C.swift": file("Sources/C.swift", "func norm(_ s: String) -> String { s.lowercased() }\n"),
            "Sources/D.swift": file("Sources/D.swift", "func fine() -> Int { 1 }\n"),
        ])
        #expect(outcome.unchecked.isEmpty)
        let failures = outcome.failures
        let byFile = Dictionary(failures.map { ($0.file, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byFile["Sources/D.swift"] == nil, "\(failures)")
        #expect(byFile["Sources/B.swift"]?.place?.line == 4, "\(failures)")
        // The declaration both files make is named, with the name, in the file that redeclares it at least.
        let redeclared = failures.filter { $0.symbol == "norm" }
        #expect(
            redeclared.contains { $0.file == "Sources/C.swift" }
                || redeclared.contains { $0.file == "Sources/A.swift" }, "\(failures)")
        #expect(redeclared.allSatisfy { $0.message.contains("invalid redeclaration of 'norm") })
        #expect(!failures.contains { $0.message.contains("f0.swift") || $0.message.contains("f2.swift") })
    }

    @Test(
        "the assembled TypeScript tree: a function two files declare is found and named; type errors are left to the atoms"
    )
    func typescriptTreeCheck() async throws {
        let check = SourceTreeCheck(runner: ToolRunner.standard(ValidationSettings.forTests))
        let typescript = Language.named("typescript")
        func file(_ path: String, _ text: String) -> AssembledFile {
            AssembledFile(path: path, language: typescript, text: text, regions: [], imports: [])
        }
        let outcome = await check.check([
            "a.ts": file("a.ts", "function norm(s: string): string {\n  return s;\n}\n"),
            "b.ts": file(
                "b.ts", "const n: number = \"no\";\n\n\nfunction norm(s: string): string {\n  return s;\n}\n"),
            "c.ts": file("c.ts", "const wrong: number = \"text\";\n"),
        ])
        #expect(outcome.unchecked.isEmpty)
        let failures = outcome.failures
        #expect(Set(failures.map(\.file)) == ["a.ts", "b.ts"], "\(failures)")
        #expect(failures.allSatisfy { $0.message.hasPrefix("TS2393") && $0.symbol == "norm" }, "\(failures)")
        // b.ts's first error is a type error on line 1: the duplicate on line 4 is the one taken.
        #expect(failures.first { $0.file == "b.ts" }?.place?.line == 4)
    }

    @Test("a name two atoms declare is pinned on the one not named after it; a use of a failed atom is no new failure")
    func settlingOwnership() {
        #expect(SourceTreeSettling.message("error: cannot find 'norm' in scope", misses: "norm"))
        #expect(SourceTreeSettling.message("ReferenceError: norm is not defined", misses: "norm"))
        #expect(!SourceTreeSettling.message("ReferenceError: xnorm is not defined", misses: "norm"))
        let plan = Plan(
            id: "p",
            atoms: [
                Atom(id: "a", name: "a", description: "", file: "x.js", language: .named("javascript")),
                Atom(
                    id: "b", name: "b", description: "", file: "y.js", language: .named("javascript"), dependsOn: ["a"]),
                Atom(
                    id: "c", name: "c", description: "", file: "z.js", language: .named("javascript"), dependsOn: ["b"]),
            ])
        #expect(SourceTreeSettling.filesBefore(plan) == ["x.js": [], "y.js": ["x.js"], "z.js": ["x.js", "y.js"]])
    }

    @Test("candidates that all disagree send the ladder's escalate step to the stronger model, whose answer weighs two")
    func escalationOnDisagreement() async throws {
        let small = ScriptedProvider([
            "sign": [
                .code("def sign(x):\n    return 1"), .code("def sign(x):\n    return (x > 0) - (x < 0)"),
                .code("def sign(x):\n    return -1 if x < 0 else 1"),
            ],
            "": [.text("sign(5)\nsign(-3)\nsign(0)")],
        ])
        let large = ScriptedProvider(["sign": [.code("def sign(x):\n    return 0 if x == 0 else (1 if x > 0 else -1)")]]
        )
        func client(_ provider: ScriptedProvider) -> ModelClient {
            ModelClient(
                provider: provider, retryPolicy: RetryPolicy(maxRetries: 0), rateLimiter: RateLimiter(),
                logger: TestEngine.silent)
        }
        var generation = GenerationSettings()
        generation.ladder = [
            LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8, candidates: 2),
            LadderStep(.escalate, temperature: 0.2),
        ]
        generation.maxAttempts = 5
        let generator = AtomGenerator(
            services: GeneratorServices(
                client: client(small), escalation: client(large), validators: chain,
                validationSlots: AsyncSemaphore(permits: 2),
                probe: BehaviourProbe(runner: ToolRunner.standard(ValidationSettings.forTests), maxInputs: 24),
                logger: TestEngine.silent),
            plan: PlanGeneration(generation: generation, maxTokensCeiling: 100, budget: TokenBudget(limit: 0)))
        let atom = atom("python", name: "sign", description: "The sign of x: -1, 0 or 1.")
        let result = try await generator.generate(atom, context: AttemptContext())
        #expect(large.requests.count == 1)
        #expect(result.attempts.last?.kind == .escalate)
        #expect(result.evidence?.level == .agreement)
        #expect(result.evidence?.attempt == 2, "the sample that agrees with the stronger model")
        #expect(result.evidence?.agreement?.group == 3 && result.evidence?.agreement?.candidates == 5)
    }

    @Test("JavaScript: values as deepStrictEqual sees them, an endless loop cut, promises awaited, inputs derived")
    func javascriptProbe() async throws {
        let probe = BehaviourProbe(runner: ToolRunner.standard(ValidationSettings.forTests), maxInputs: 24)
        let code = """
            function f(xs, k) {
              if (k === 99) { while (true) {} }
              if (k === 7) return new Set([3, 1]);
              if (k === 8) return {b: 1, a: 2.50};
              if (k === 9) return Promise.resolve(5);
              if (k === 10) throw new TypeError("no");
              if (k === 11) { console.log("hi"); return 1; }
              return xs.slice(0, k);
            }
            """
        let subject = ValidationSubject(atom: atom("javascript", name: "f"), code: code, dependencyCode: [])
        let seeds = [
            "f([3, 1, 2], 2)", "f([1], 99)", "f([1], 7)", "f([1], 8)", "f([1], 9)", "f([1], 10)", "f([1], 11)",
        ]
        let found = try #require(await probe.behaviour(of: subject, seeds: seeds))
        #expect(Array(found.inputs.prefix(7)) == seeds)
        #expect(
            Array(found.outputs.prefix(7)) == [
                "[3,1]", "timeout", "Set{1,3}", "{\"a\":2.5,\"b\":1}", "5", "raise TypeError",
                "1 printing \"hi\\n\"",
            ])
        #expect(found.inputs.contains("f([], 2)") && found.inputs.contains("f([3], 2)"))
        let broken = try #require(
            await probe.behaviour(
                of: ValidationSubject(atom: atom("javascript", name: "f"), code: "const x = y.z;", dependencyCode: []),
                seeds: ["f(1)"]))
        #expect(broken.outputs.isEmpty)
    }

    @Test("JavaScript candidates are compared too: the two that agree win")
    func javascriptVote() async throws {
        let provider = ScriptedProvider([
            "larger": [
                .text("```js\nfunction larger(a, b) { return a; }\n```"),
                .text("```js\nfunction larger(a, b) { return Math.max(a, b); }\n```"),
                .text("```js\nfunction larger(a, b) { return a > b ? a : b; }\n```"),
            ],
            "": [.text("```js\nlarger(1, 2)\nlarger(5, 3)\n```")],
        ])
        let atom = atom("javascript", name: "larger", description: "The larger of a and b.")
        let result = try await generator(provider).generate(atom, context: AttemptContext())
        #expect(result.status == .passed)
        #expect(result.evidence?.level == .agreement)
        #expect(result.evidence?.agreement?.members == [[2, 3], [1]])
        let asked = provider.requests.contains { (request: ModelRequest) in
            request.messages.contains { $0.text.contains("different calls of the JavaScript function `larger`") }
        }
        #expect(asked)
    }

    @Test("TypeScript candidates are compared, transpiled as their tests are; the model's expected value is weighed")
    func typescriptVote() async throws {
        try await expectVote(
            language: "typescript", named: "TypeScript",
            codes: [
                "function larger(a: number, b: number): number { return a; }",
                "function larger(a: number, b: number): number { return Math.max(a, b); }",
                "function larger(a: number, b: number): number { return a > b ? a : b; }",
            ], proposal: "assert.deepStrictEqual(larger(1, 2), 2);\nlarger(5, 3)")
    }

    /// Three candidates of `larger` in `language`, the last two agreeing; the proposal call's reply gives one
    /// expected value, met by the two. They win, the expectation is counted, and the proposal was asked as assertions.
    func expectVote(language: String, named: String, codes: [String], proposal: String) async throws {
        let fence = Language.named(language).fenceTags[0]
        let provider = ScriptedProvider([
            "larger": codes.map { .text("```\(fence)\n\($0)\n```") },
            "": [.text("```\(fence)\n\(proposal)\n```")],
        ])
        let atom = atom(language, name: "larger", description: "The larger of a and b.")
        var evidence = EvidenceSettings()
        evidence.agreement.expectations = true
        let result = try await generator(provider, evidence: evidence).generate(atom, context: AttemptContext())
        #expect(result.status == .passed)
        #expect(result.evidence?.level == .agreement)
        #expect(result.evidence?.agreement?.members == [[2, 3], [1]], "\(String(describing: result.evidence))")
        #expect(result.evidence?.agreement?.expectations == 1 && result.evidence?.agreement?.expectationsMet == 1)
        let asked = provider.requests.contains { (request: ModelRequest) in
            request.messages.contains { $0.text.contains("different assertions for the \(named) function `larger`") }
        }
        #expect(asked)
    }

    @Test(
        "Swift: each call in a process of its own (a trap, an endless loop, a throw are outputs); a call that does not compile is unreadable; an expected value typed as the result"
    )
    func swiftProbe() async throws {
        let probe = BehaviourProbe(runner: ToolRunner.standard(ValidationSettings.forTests), maxInputs: 24)
        let code = """
            struct Odd: Error {}
            func f(_ n: Int) throws -> Double {
                if n == 1 { fatalError("no") }
                if n == 2 { while true {} }
                if n == 3 { throw Odd() }
                if n == 4 { print("noise") }
                return Double(n) / 2
            }
            """
        let subject = ValidationSubject(atom: atom("swift", name: "f"), code: code, dependencyCode: [])
        let seeds = ["f(1)", "f(2)", "f(3)", "f(4)", "f(\"x\")", "f(10)"]
        let found = try #require(
            await probe.behaviour(of: subject, seeds: seeds, expected: ["f(10)": "5", "f(4)": "\"two\""]))
        #expect(found.inputs == seeds)
        #expect(found.outputs == ["raise trap", "timeout", "raise Odd", "2.0", "unreadable", "5.0"], "\(found)")
        // 5 typed as the result is 5.0; a string where a Double goes does not compile and is no expectation.
        #expect(found.expected == [nil, nil, nil, nil, nil, "5.0"], "\(found)")
        let broken = try #require(
            await probe.behaviour(
                of: ValidationSubject(
                    atom: atom("swift", name: "f"), code: "func f(_ n: Int) -> Int { n + \"a\" }",
                    dependencyCode: []), seeds: ["f(1)"]))
        #expect(broken.outputs.isEmpty)
    }

    @Test("Swift candidates are compared: the two that agree win")
    func swiftVote() async throws {
        try await expectVote(
            language: "swift", named: "Swift",
            codes: [
                "func larger(_ a: Int, _ b: Int) -> Int { a }", "func larger(_ a: Int, _ b: Int) -> Int { max(a, b) }",
                "func larger(_ a: Int, _ b: Int) -> Int { a > b ? a : b }",
            ], proposal: "assert(larger(1, 2) == 2)\nlarger(5, 3)")
    }
}
