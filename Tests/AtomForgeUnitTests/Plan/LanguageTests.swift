import Testing

@testable import AtomForge

/// A language is a description: what the validators, the extractor and the assembler do with one comes from it.
@Suite("languages as data")
struct LanguageTests {
    @Test("import lines, per the description")
    func imports() {
        let python = Language.named("python")
        #expect(python.isImportLine("import re") && python.isImportLine("from pkg.mod import x"))
        #expect(!python.isImportLine("from_here = 1"))
        let javascript = Language.named("js")
        #expect(javascript.isImportLine("import fs from 'fs'") && !javascript.isImportLine("import('fs')"))
        #expect(Language.named("ts").isImportLine("import { x } from './x'"))
        #expect(!Language.named("cobol").isImportLine("import x"), "a language without a description has none")
    }

    @Test("a language described here, and nowhere else, has its declarations recognised and its imports hoisted")
    func describedLanguage() {
        var lua = Language(name: "lua", fileExtensions: ["lua"], fenceTags: ["lua"], lineComment: "--")
        lua.declarationKeywords = ["function", "local function"]
        lua.importPrefixes = ["require "]
        #expect(
            StructuralValidator.defines("greet", in: "local function greet(name)\n  return name\nend", language: lua))
        #expect(!StructuralValidator.defines("greet", in: "local function greeting()\nend", language: lua))
        #expect(lua.isImportLine("require \"socket\""))
    }

    @Test("every built-in language has a syntax check, a test runner and a way to take its unit out")
    func builtIns() {
        for language in Language.known {
            #expect(language.syntaxCheck != nil, "\(language.name)")
            #expect(language.testRunner != nil, "\(language.name)")
            #expect(!language.declarationKeywords.isEmpty && !language.importPrefixes.isEmpty, "\(language.name)")
        }
        #expect(Language.known.map(\.name) == ["python", "swift", "javascript", "typescript"])
    }
}
