import Testing

@testable import AtomForge

@Suite("code extraction")
struct CodeExtractorTests {
    let python = Language.named("python")

    @Test("takes the block tagged with the atom's language, not the prose")
    func taggedBlock() {
        let reply = "Sure! Here it is:\n```python\ndef f():\n    return 1\n```\nThis returns one."
        #expect(CodeExtractor.extract(from: reply, language: python) == "def f():\n    return 1")
    }

    @Test("accepts the language's other tags")
    func otherTags() {
        #expect(CodeExtractor.extract(from: "```py\nx = 1\n```", language: python) == "x = 1")
        #expect(CodeExtractor.extract(from: "```js\nlet x = 1\n```", language: .named("javascript")) == "let x = 1")
    }

    @Test("prefers the tagged block over others")
    func prefersTagged() {
        let reply = "```text\nusage notes\n```\n```python\ny = 2\n```"
        #expect(CodeExtractor.extract(from: reply, language: python) == "y = 2")
    }

    @Test("takes the only block whatever its tag")
    func onlyBlock() {
        #expect(CodeExtractor.extract(from: "Code:\n```\nz = 3\n```\n", language: python) == "z = 3")
    }

    @Test("takes bare code as it is, less stray fences")
    func bareCode() {
        #expect(CodeExtractor.extract(from: "def g():\n    pass\n", language: python) == "def g():\n    pass")
    }

    @Test("a block left open by a cut-off reply counts to the end")
    func unclosedBlock() {
        #expect(
            CodeExtractor.extract(from: "```python\ndef h():\n    return", language: python) == "def h():\n    return")
    }
}

@Suite("unit extraction's answer")
struct UnitAnswerTests {
    @Test("a unit is believed only when it is lines of the reply's code, in order")
    func drawnFromTheCode() {
        let code = "import re\n\ndef f(x):\n    return x\n\nprint(f(1))\r\nX = 1"
        #expect(UnitExtractor.isDrawn("import re\n\ndef f(x):\n    return x\n\nX = 1", from: code))
        #expect(UnitExtractor.isDrawn("def f(x):\n    return x", from: code))
        #expect(!UnitExtractor.isDrawn("def f(x):\n    return x\nimport os", from: code), "a line it never had")
        #expect(!UnitExtractor.isDrawn("X = 1\nimport re", from: code), "lines out of order")
    }
}
