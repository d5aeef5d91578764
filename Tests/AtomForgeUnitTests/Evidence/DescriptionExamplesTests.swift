import Testing

@testable import AtomForge

@Suite("examples read from descriptions")
struct DescriptionExamplesTests {
    let python = Language.named("python")

    func checks(_ description: String, _ name: String, _ language: Language = .named("python")) -> [String] {
        DescriptionExamples.read(description, name: name, language: language).map(\.check)
    }

    @Test("a doctest's call and its one-line output")
    func doctest() {
        let description = "Adds one.\n\n>>> inc(2)\n3\n>>> inc(-1)\n0\n"
        #expect(checks(description, "inc") == ["assert inc(2) == 3", "assert inc(-1) == 0"])
        #expect(
            DescriptionExamples.read(description, name: "inc", language: python).map(\.call) == ["inc(2)", "inc(-1)"])
    }

    @Test("comparisons and arrows inside sentences, with inline code marks")
    func inline() {
        #expect(checks("For example `add(2, 3)` == `5`.", "add") == ["assert add(2, 3) == 5"])
        #expect(
            checks("slugify('Hello, World!') -> 'hello-world'", "slugify") == [
                "assert slugify('Hello, World!') == 'hello-world'"
            ])
        #expect(checks("sq(3) returns 9, sq(4) → 16.", "sq") == ["assert sq(3) == 9", "assert sq(4) == 16"])
        #expect(checks("pairs([1, 2]) => [(1, 2)]", "pairs") == ["assert pairs([1, 2]) == [(1, 2)]"])
    }

    @Test("the value an example compares the bare call with is kept apart; other assertions have none")
    func expectedValues() {
        func expected(_ text: String, _ name: String, _ language: Language = .named("python")) -> [String?] {
            DescriptionExamples.read(text, name: name, language: language).map(\.expected)
        }
        #expect(expected(">>> inc(2)\n3\n", "inc") == ["3"])
        #expect(expected("sq(4) → 16.", "sq") == ["16"])
        #expect(expected("assert f([1, 2]) == [2, 1]", "f") == ["[2, 1]"])
        #expect(expected("assert len(f(3)) == 2", "f") == [nil])
        #expect(expected("assert f(3) == 2, 'three'", "f") == [nil])
        #expect(expected("assert f(3)", "f") == [nil])
        let javascript = Language.named("javascript")
        #expect(expected("assert.deepStrictEqual(f([1]), [2]);", "f", javascript) == ["[2]"])
        #expect(expected("assert.strictEqual(f(1), f(2));", "f", javascript) == [nil])
        #expect(expected("assert(f(2) == 4)", "f", .named("swift")) == ["4"])
    }

    @Test("a literal mapped to a literal calls the atom with it")
    func literalArrow() {
        #expect(
            checks("Makes slugs, e.g. 'Hello, World!' -> 'hello-world'", "slugify") == [
                "assert slugify('Hello, World!') == 'hello-world'"
            ])
    }

    @Test("an assertion the description gives is taken as written, with the modules it names imported")
    func assertion() {
        let description = "Find the area.\nExample:\nassert math.isclose(area(2), 12.56, rel_tol=0.01)"
        #expect(checks(description, "area") == ["assert math.isclose(area(2), 12.56, rel_tol=0.01)"])
        let examples = DescriptionExamples.read(description, name: "area", language: python)
        #expect(DescriptionExample.tests(examples, language: python).hasPrefix("import math\n"))
        #expect(examples.map(\.call) == ["area(2)"])
    }

    @Test("prose, ellipses, variables, unbalanced text and multi-line output are refused")
    func refused() {
        #expect(checks("f(x) returns the square of x", "f").isEmpty)
        #expect(checks("f(2) -> the square of 2", "f").isEmpty)
        #expect(checks("f([1, 2, ...]) == [2, 4, ...]", "f").isEmpty)
        #expect(checks("f([1, 2) == 3", "f").isEmpty)
        #expect(checks("f('abc) -> 'x'", "f").isEmpty)
        #expect(checks(">>> f(2)\n[1,\n 2]\n", "f").isEmpty)
        #expect(checks(">>> x = f(2)\n4\n", "f").isEmpty)
        #expect(checks("Calls g(2) -> 4 first.", "f").isEmpty)
        #expect(checks("Returns a list of words.", "f").isEmpty)
        #expect(checks("assert f(2) == ...", "f").isEmpty)
    }

    @Test("types, words and numbers that go on are not values; definitions and operands are not examples")
    func notValues() {
        #expect(checks("def now() -> float: the time", "now").isEmpty)
        #expect(checks("split('a b') returns list of words", "split").isEmpty)
        #expect(checks("div(1, 0) returns inf", "div").isEmpty)
        #expect(checks("chunk([1, 2, 3, 4], 2) returns 2 lists", "chunk").isEmpty)
        #expect(checks("parse_hex('ff') -> 0xff", "parse_hex").isEmpty)
        #expect(checks("cube(10) -> 10**3", "cube").isEmpty)
        #expect(checks("2 * f(3) == 12", "f").isEmpty)
        #expect(checks("-f(2) == -4", "f").isEmpty)
        #expect(checks("if f(2) == 4: done", "f").isEmpty)
        #expect(checks("f(2) == 4 or f(2) == 5", "f").isEmpty)
        #expect(checks("Unlike the naive version, f(2) -> 3", "f").isEmpty)
        #expect(checks("f(2) -> 4 and f(3) -> 9", "f") == ["assert f(2) == 4", "assert f(3) == 9"])
        #expect(checks("to_set([1, 1]) -> set([1])", "to_set") == ["assert to_set([1, 1]) == set([1])"])
    }

    @Test("doctests that print, carry a directive or compare are read with care")
    func doctestCare() {
        #expect(checks(">>> print(f(2))\n4\n", "f").isEmpty)
        #expect(checks(">>> fetch('x')  # doctest: +SKIP\n'page'\n", "fetch").isEmpty)
        #expect(
            checks(">>> abs(area(2) - 12.566) < 1e-3\nTrue\n", "area") == [
                "assert (abs(area(2) - 12.566) < 1e-3) == True"
            ])
    }

    @Test("a given assertion names nothing but the atom, values and built-ins; one call with two results is dropped")
    func assertionNames() {
        #expect(checks("xs = [3, 1, 2]\nassert sort_list(xs) == [1, 2, 3]", "sort_list").isEmpty)
        #expect(checks("assert np.allclose(f(1), 2)", "f").isEmpty)
        #expect(checks("assert set(f([1, 1])) == set([1])", "f") == ["assert set(f([1, 1])) == set([1])"])
        #expect(checks("f(2) == 4\nf(2) == 5", "f").isEmpty)
        #expect(
            checks("assert.strictEqual(sum([1, 2]), 3)", "sum", .named("javascript")) == [
                "require(\"assert\").strictEqual(sum([1, 2]), 3)"
            ])
        #expect(
            checks("assert(sum([1, 2]) === 3)", "sum", .named("javascript")) == [
                "require(\"assert\").ok(sum([1, 2]) === 3)"
            ])
    }

    @Test("a value mapped to a value needs an example's words, and a string, list or dict before the arrow")
    func literalArrowCare() {
        #expect(checks("Truncates: 'abc' -> 'ab'", "truncate").isEmpty)
        #expect(checks("e.g. 'abc', 2 -> 'ab'", "truncate").isEmpty)
        #expect(checks("for example (3, 4) -> 5", "hypot").isEmpty)
        #expect(checks("scores go 0 -> 100, e.g.", "scale").isEmpty)
        #expect(checks("for example [3, 1] -> [1, 3]", "sort") == ["assert sort([3, 1]) == [1, 3]"])
    }

    @Test("another function's name containing the atom's is not a call of it")
    func wordBoundaries() {
        #expect(checks("my_f(2) -> 4", "f").isEmpty)
        #expect(checks("obj.f(2) -> 4", "f").isEmpty)
    }

    @Test("JavaScript and Swift examples become the harnesses' assertions")
    func otherLanguages() {
        let javascript = checks("sum([1, 2]) === 3", "sum", .named("javascript"))
        #expect(
            javascript == [
                "console.assert(JSON.stringify(sum([1, 2])) === JSON.stringify(3), \"example: sum([1, 2]) should give 3\");"
            ])
        #expect(checks("isEven(4) // => true", "isEven", .named("typescript")).count == 1)
        #expect(checks("`double(2)` returns `4`", "double", .named("swift")) == ["assert(double(2) == 4)"])
        #expect(checks("double(x: 2) -> 4", "double", .named("swift")) == ["assert(double(x: 2) == 4)"])
    }

    @Test("the same example written twice is one check")
    func duplicates() {
        #expect(checks("inc(1) == 2\n>>> inc(1)\n2\n", "inc") == ["assert inc(1) == 2"])
    }
}
