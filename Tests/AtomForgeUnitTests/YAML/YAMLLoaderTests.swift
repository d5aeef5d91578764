import Testing

@testable import AtomForge

@Suite("YAML loader")
struct YAMLLoaderTests {
    @Test("scalars keep their text and style; only plain true/false are booleans")
    func scalarsAndStyles() throws {
        let root = try #require(
            try YAMLLoader.load(
                """
                plain: 8
                quoted: "8"
                single: 'true'
                yes_word: yes
                flag: true
                empty:
                tilde: ~
                block: |
                  line one
                  line two
                """))
        #expect(root["plain"]?.int == 8)
        #expect(root["quoted"]?.int == nil)
        #expect(root["quoted"]?.text == "8")
        #expect(root["single"]?.bool == nil)
        #expect(root["yes_word"]?.bool == nil)
        #expect(root["yes_word"]?.text == "yes")
        #expect(root["flag"]?.bool == true)
        #expect(root["empty"]?.isNull == true)
        #expect(root["tilde"]?.isNull == true)
        #expect(root["block"]?.text == "line one\nline two")
    }

    @Test("every node knows its line and column")
    func locations() throws {
        let root = try #require(try YAMLLoader.load("a: 1\nlist:\n  - x\n  - key: value\n"))
        #expect(root["a"]?.location == SourceLocation(line: 1, column: 4))
        let second = try #require(root["list"]?.sequence?[1])
        #expect(second.location == SourceLocation(line: 4, column: 5))
        #expect(second.mapping?.first?.keyLocation == SourceLocation(line: 4, column: 5))
        #expect(second["key"]?.location == SourceLocation(line: 4, column: 10))
    }

    @Test("a syntax error carries line and column")
    func syntaxError() {
        #expect {
            _ = try YAMLLoader.load("a: [1, 2\nb: 3\n")
        } throws: { error in
            let error = error as? YAMLError
            return error?.location?.line == 2 && error?.description.hasPrefix("2:") == true
        }
    }

    @Test("duplicate keys are refused, naming the key and both places")
    func duplicateKeys() {
        #expect {
            _ = try YAMLLoader.load("name: a\nother: 1\nname: b\n")
        } throws: { error in
            let error = error as? YAMLError
            return error?.location == SourceLocation(line: 3, column: 1)
                && error?.message == "duplicate key 'name' (first defined at 1:1)"
        }
    }

    @Test("aliases expand to copies of their anchors")
    func aliases() throws {
        let root = try #require(try YAMLLoader.load("base: &b {x: 1}\nuse: *b\n"))
        #expect(root["use"]?["x"]?.int == 1)
        #expect(root["use"]?.location.line == 2)
    }

    @Test("an alias inside its own anchor is refused, not followed")
    func selfReferencingAlias() {
        #expect {
            _ = try YAMLLoader.load("a: &x [1, *x]\n")
        } throws: { error in
            (error as? YAMLError)?.message.contains("refers to the node that contains it") == true
        }
    }

    @Test("a billion-laughs document is refused quickly with a message")
    func billionLaughs() {
        var text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            text +=
                "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        #expect {
            _ = try YAMLLoader.load(text)
        } throws: { error in
            (error as? YAMLError)?.message.contains("billion laughs") == true
        }
    }

    @Test("deep nesting is refused instead of exhausting the stack")
    func deepNesting() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect {
            _ = try YAMLLoader.load(text)
        } throws: { error in
            (error as? YAMLError)?.message.contains("nests deeper than") == true
        }
    }

    @Test("an undefined alias is an error that names it")
    func undefinedAlias() {
        #expect {
            _ = try YAMLLoader.load("a: *nowhere\n")
        } throws: { error in
            (error as? YAMLError)?.message.contains("'*nowhere'") == true
        }
    }

    @Test("JSON reads through the same loader, strings staying strings")
    func json() throws {
        let root = try #require(try YAMLLoader.load(#"{"id": "7", "n": 7, "ok": false, "list": [1, "two"]}"#))
        #expect(root["id"]?.int == nil)
        #expect(root["id"]?.text == "7")
        #expect(root["n"]?.int == 7)
        #expect(root["ok"]?.bool == false)
        #expect(root["list"]?.sequence?.count == 2)
    }

    @Test("an empty file or one with only comments holds no document")
    func empty() throws {
        #expect(try YAMLLoader.load("") == nil)
        #expect(try YAMLLoader.load("# nothing here\n") == nil)
    }

    @Test("a second document is refused")
    func secondDocument() {
        #expect {
            _ = try YAMLLoader.load("a: 1\n---\nb: 2\n")
        } throws: { error in
            (error as? YAMLError)?.location?.line == 2
        }
    }
}
