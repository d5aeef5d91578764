import AtomForgeModel

/// Checks that need no toolchain: the code is not empty, it defines the atom's name, and it is not far larger than
/// the plan estimated (a warning: the model may have pasted its dependencies or the tests).
public struct StructuralValidator: Validator {
    public let name = "structure"

    public init() {}

    public func applies(to atom: Atom) -> Bool { true }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        let code = subject.code
        let atom = subject.atom
        if code.allSatisfy(\.isWhitespace) {
            return [ValidationIssue(.critical, "the reply contained no code", validator: name)]
        }
        var issues: [ValidationIssue] = []
        if atom.kind == .method, let layout = ClassLayout(atom.language) {
            if !layout.memberNames(in: code).contains(atom.name) {
                issues.append(
                    ValidationIssue(
                        .error,
                        "the code does not define the method `\(atom.name)`; the atom must be exactly that method",
                        validator: name, kind: .name))
            }
        } else if !Self.defines(atom.name, in: code, language: atom.language) {
            issues.append(
                ValidationIssue(
                    .error, "the code does not define `\(atom.name)`; the atom must define exactly that name",
                    validator: name, kind: .name))
        }
        let lines = code.split(separator: "\n", omittingEmptySubsequences: true).count
        if let estimate = atom.estimatedLOC, lines > estimate * 4 + 20 {
            issues.append(
                ValidationIssue(
                    .warning, "\(lines) lines where about \(estimate) were planned; did it repeat its dependencies?",
                    validator: name))
        }
        return issues
    }

    /// Whether a declaration of `name` appears in `code`, by the declaration keywords of `language`.
    package static func defines(_ name: String, in code: String, language: Language) -> Bool {
        let keywords = language.declarationKeywords
        for line in code.split(separator: "\n") {
            var text = Substring(line.drop { $0 == " " || $0 == "\t" })
            for prefix in [
                "export default ", "export ", "public ", "open ", "internal ", "final ", "static ", "@MainActor ",
            ] {
                while text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
            }
            for keyword in keywords where text.hasPrefix(keyword + " ") {
                let rest = text.dropFirst(keyword.count + 1).drop { $0 == " " }
                if rest.hasPrefix(name), Self.endsIdentifier(rest.dropFirst(name.count).first) { return true }
            }
            // A language that defines names by assignment at the top level (Python: `NAME = …`, `NAME: T = …`), or
            // one without a description, is matched by the name at the start of a line.
            if language.definesByAssignment || keywords.isEmpty, line.hasPrefix(name),
                let next = line.dropFirst(name.count).first, next == " " || next == "=" || next == ":"
            {
                return true
            }
        }
        return keywords.isEmpty && code.contains(name)
    }

    private static func endsIdentifier(_ character: Character?) -> Bool {
        guard let character else { return true }
        return !(character.isLetter || character.isNumber || character == "_")
    }
}
