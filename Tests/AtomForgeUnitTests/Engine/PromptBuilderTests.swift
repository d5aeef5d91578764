import Testing

@testable import AtomForge

@Suite("prompts")
struct PromptBuilderTests {
    let atom = Atom(
        id: "store", name: "TodoStore", description: "An in-memory store.", file: "todo/store.py",
        language: .named("python"), imports: ["import itertools"], estimatedLOC: 12, complexity: "medium",
        dependsOn: ["model"], tests: "assert TodoStore().pending() == []")
    let model = Atom(id: "model", name: "Todo", description: "d", file: "todo/models.py", language: .named("python"))
    let base = Atom(id: "base", name: "Base", description: "d", file: "todo/base.py", language: .named("python"))
    let sibling = Atom(
        id: "helper", name: "helper", description: "d", file: "todo/store.py", language: .named("python"))

    var context: AttemptContext {
        AttemptContext(
            directDependencies: [(model, "class Todo: ...")],
            allDependencies: [(base, "class Base: ..."), (model, "class Todo: ...")],
            siblings: [(sibling, "def helper(): ...")])
    }

    @Test("attempt 1 states the atom, its direct dependencies and its tests")
    func firstAttempt() {
        let prompt = PromptBuilder().prompt(for: atom, attempt: 1, context: context, previous: nil)
        #expect(prompt.contains("defines `TodoStore`"))
        #expect(prompt.contains("An in-memory store."))
        #expect(prompt.contains("- File: todo/store.py"))
        #expect(prompt.contains("import itertools"))
        #expect(prompt.contains("about 12 lines"))
        #expect(prompt.contains("class Todo: ..."))
        #expect(!prompt.contains("class Base: ..."))
        #expect(!prompt.contains("def helper(): ..."))
        #expect(prompt.contains("assert TodoStore().pending() == []"))
    }

    @Test("attempt 2 carries the previous code and what failed in it")
    func repairAttempt() {
        let previous = AttemptRecord(
            number: 1, temperature: 0.7, maxTokens: 512, tokens: TokenUsage(), latencyS: 0.1, transportRetries: 0,
            stopReason: "stop", truncated: false, code: "class TodoStore:\n    def pending(self) return []",
            issues: [ValidationIssue(.error, "atom.py:2:22: SyntaxError: expected ':'", validator: "python-syntax")],
            passed: false)
        let prompt = PromptBuilder().prompt(for: atom, attempt: 2, context: context, previous: previous)
        #expect(prompt.contains("def pending(self) return []"))
        #expect(prompt.contains("- atom.py:2:22: SyntaxError: expected ':'"))
        #expect(!prompt.contains("class Base: ..."))
    }

    @Test("from attempt 3 every dependency and the file's other atoms are shown")
    func richerContext() {
        let prompt = PromptBuilder().prompt(for: atom, attempt: 3, context: context, previous: nil)
        #expect(prompt.contains("class Base: ..."))
        #expect(prompt.contains("def helper(): ..."))
    }

    @Test("max_tokens follows the estimate within the ceiling, and the ceiling after a cut-off")
    func maxTokens() {
        let builder = PromptBuilder()
        #expect(builder.maxTokens(for: atom, ceiling: 1024, afterTruncation: false) == 512)
        #expect(builder.maxTokens(for: atom, ceiling: 300, afterTruncation: false) == 300)
        #expect(builder.maxTokens(for: atom, ceiling: 1024, afterTruncation: true) == 1024)
    }

    @Test("generation.system_prompt replaces the system prompt, its placeholders filled; empty sends none")
    func systemPrompt() throws {
        let builtIn = try #require(PromptBuilder().system(for: atom))
        #expect(builtIn.hasPrefix("You are an expert python developer.") && builtIn.contains("(```python)"))
        let own = PromptBuilder(systemPrompt: "Write {language} in one ```{fence} block.")
        #expect(own.system(for: atom) == "Write python in one ```python block.")
        #expect(PromptBuilder(systemPrompt: "").system(for: atom) == nil)
        #expect(PromptBuilder().system(for: atom, style: .plain) == nil)
    }
}
