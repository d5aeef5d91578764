import AtomForgeModel
import AtomForgeSystem
import Foundation

/// Writes the prompts of the generation ladder.
///
/// A sample states the atom (name, description, language, file, imports, size, complexity, tests) with its direct
/// dependencies' code, and nothing of earlier attempts. A repair adds the failed code and what failed in it, as the
/// validators reported it (the failing assertion in its context, not a raw traceback). From step 3 the context
/// grows: every dependency, transitively, and the nearest atoms already written in the same file (eight at most) —
/// because what usually changes the outcome is what the model can see. The fixed part of a prompt comes first and
/// what varies (the feedback) last, so a server's prompt cache is reused across the steps of an atom.
public struct PromptBuilder: Sendable {
    /// The system prompt of `full` prompts unless `generation.system_prompt` replaces it.
    public static let defaultSystemPrompt = """
        You are an expert {language} developer. You write one small unit of code at a time, exactly as specified, \
        using the code you are given without repeating it. Reply with a single fenced code block (```{fence}) \
        holding the complete code of the unit, and nothing else.
        """

    /// `{language}` and `{fence}` in it stand for the atom's language and fence tag; empty: no system prompt.
    public let systemPrompt: String

    public init(systemPrompt: String? = nil) {
        self.systemPrompt = systemPrompt ?? Self.defaultSystemPrompt
    }

    public func system(for atom: Atom, style: LadderStep.PromptStyle = .full) -> String? {
        guard style == .full, !systemPrompt.isEmpty else { return nil }
        return systemPrompt.replacingOccurrences(of: "{language}", with: atom.language.name)
            .replacingOccurrences(of: "{fence}", with: atom.language.fenceTags[0])
    }

    /// The user message of ladder step `number`; `previous` is the failed attempt it repairs, nil for a sample.
    public func prompt(
        for atom: Atom, attempt number: Int, context: AttemptContext, previous: AttemptRecord?,
        style: LadderStep.PromptStyle = .full
    ) -> String {
        composed(for: atom, attempt: number, context: context, previous: previous, style: style).text
    }

    /// The user message of ladder step `number` and how many of its characters stay the same in every attempt of
    /// the step's context (everything before the feedback on an earlier attempt and the closing instruction): the
    /// part a provider's prompt cache serves to the atom's later attempts and candidates; nil for a plain prompt.
    /// `notes`: what the validators' own checks ask of the code (``Validator/promptNote(for:)``), after its tests.
    public func composed(
        for atom: Atom, attempt number: Int, context: AttemptContext, previous: AttemptRecord?,
        style: LadderStep.PromptStyle = .full, notes: [String] = []
    ) -> (text: String, cacheablePrefix: Int?) {
        let tag = atom.language.fenceTags[0]
        let language = atom.language.name
        let scope = context.classScope
        let method = atom.kind == .method ? scope : nil
        let type = atom.kind == .type ? scope : nil
        if style == .plain {
            let what =
                method.map { "\(language) method `\(atom.name)` of class `\($0.type.name)`" }
                ?? "\(language) \(type == nil ? "function" : "class") `\(atom.name)`"
            return ("\(atom.description)\n\nWrite the complete \(what), in one ```\(tag) fenced code block.", nil)
        }
        var sections: [String] = []
        var task =
            if let method {
                "Write the method `\(atom.name)` of the \(language) class `\(method.type.name)`.\n\n\(atom.description)"
            } else if type != nil {
                "Write the \(language) class `\(atom.name)`: its declaration, fields and constructor only."
                    + "\n\n\(atom.description)"
            } else {
                "Write the \(language) code that defines `\(atom.name)`.\n\n\(atom.description)"
            }
        var facts = ["- File: \(atom.file)"]
        if !atom.imports.isEmpty {
            facts.append("- Already imported at the top of the file: \(atom.imports.joined(separator: "; "))")
        }
        if let loc = atom.estimatedLOC { facts.append("- Size: about \(loc) lines") }
        if let complexity = atom.complexity { facts.append("- Complexity: \(complexity)") }
        if let parent = atom.parentContext, scope == nil { facts.append("- Where it belongs: \(parent)") }
        task += "\n\n" + facts.joined(separator: "\n")
        sections.append(task)
        if let method, let view = method.view(for: atom) {
            sections.append(
                "The class as it stands; the method goes where marked, so write only the method, not the class "
                    + "around it:\n" + fence(view, tag))
        }
        if let type {
            let others = type.methods.map { "- `\($0.atom.name)`: \($0.atom.description.firstLine)" }
            sections.append(
                "Its methods are written separately, after it; do not write them:\n" + others.joined(separator: "\n"))
        }

        let dependencies = number >= 3 ? context.allDependencies : context.directDependencies
        if !dependencies.isEmpty {
            let code = dependencies.map { "\(atom.language.lineComment) \($0.atom.name)\n\($0.code)" }
            sections.append(
                "It can use this code, already written and validated; it is in scope, so do not repeat it:\n"
                    + fence(code.joined(separator: "\n\n"), tag))
        }
        if number >= 3, !context.siblings.isEmpty {
            let code = context.siblings.map(\.code).joined(separator: "\n\n")
            sections.append(
                "Other code already in \(atom.file), for consistency (do not repeat it):\n" + fence(code, tag))
        }
        if let tests = atom.tests {
            let scopeWord = method == nil ? "code" : "class"
            sections.append(
                "It must pass these tests, which run with the \(scopeWord) in scope:\n" + fence(tests, tag))
        }
        sections += notes
        let stable = sections.joined(separator: "\n\n")
        if let previous {
            var feedback =
                "Attempt \(previous.number) was:\n" + fence(previous.code.isEmpty ? "(no code)" : previous.code, tag)
            let problems =
                previous.truncated
                ? ["- the reply was cut off before it ended; write shorter code"]
                : previous.failures.map { "- \($0.message)" }
            feedback += "\nIt failed:\n" + problems.joined(separator: "\n")
            feedback += "\nFix every problem above and reply with the complete corrected code."
            sections.append(feedback)
        }
        if method != nil {
            sections.append(
                "Reply with one ```\(tag) block holding only the method `\(atom.name)`; do not include the class or "
                    + "the tests.")
        } else if type != nil {
            sections.append(
                "Reply with one ```\(tag) block that defines the class `\(atom.name)` without those methods; do not "
                    + "include the tests.")
        } else {
            sections.append("Reply with one ```\(tag) block that defines `\(atom.name)`; do not include the tests.")
        }
        return (sections.joined(separator: "\n\n"), stable.isEmpty ? nil : stable.count)
    }

    /// The reply budget for an atom: generous for its estimated size, within the configured ceiling. After a reply was
    /// cut off, the ceiling itself.
    public func maxTokens(for atom: Atom, ceiling: Int, afterTruncation: Bool) -> Int {
        guard !afterTruncation, let loc = atom.estimatedLOC else { return ceiling }
        return min(ceiling, max(256, loc * 32 + 128))
    }

    private func fence(_ code: String, _ tag: String) -> String {
        "```\(tag)\n\(code)\n```"
    }
}
