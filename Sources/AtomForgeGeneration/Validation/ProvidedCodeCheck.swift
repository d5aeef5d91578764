import AtomForgeModel

/// Parses the code a plan provides (`code:` on an atom) before anything runs, so that `atomforge check` reports a
/// syntax error in it as a plan error, with the atom and the parser's message.
///
/// Only parsing, with each language's own parser, in the sandbox: `python3`'s `ast`, `node --check`,
/// `swiftc -parse`, `tsc`'s syntax errors. Type errors are not plan errors here (provided code may use atoms that
/// are not written yet); the run validates the code fully, as it does the model's.
public enum ProvidedCodeCheck {
    /// The problems of every atom's provided code in `plan`, each an error located at its atom.
    public static func diagnostics(for plan: Plan, settings: ValidationSettings = ValidationSettings()) async
        -> [PlanDiagnostic]
    {
        let runner = ToolRunner.standard(settings)
        var diagnostics: [PlanDiagnostic] = []
        for atom in plan.atoms {
            guard let code = atom.providedCode, let check = parseCheck(for: atom.language) else { continue }
            guard Toolchain.find(check.tool) != nil else {
                diagnostics.append(
                    .warning(
                        "atom '\(atom.id)': its provided code was not parsed: \(check.tool) is not installed "
                            + "(scripts/install-deps installs it); the run validates it", at: atom.location))
                continue
            }
            let validator = SyntaxValidator(atom.language, check: check, runner: runner)
            let subject = ValidationSubject(
                atom: atom, code: code, dependencyCode: [], enclosing: enclosing(code, atom))
            for issue in await validator.validate(subject) where issue.severity.fails {
                let problem =
                    issue.severity == .critical
                    ? "its provided code could not be checked: \(issue.message)"
                    : "its provided code does not parse:\n\(issue.message)"
                diagnostics.append(.error("atom '\(atom.id)': \(problem)", at: atom.location))
            }
        }
        return diagnostics
    }

    /// The language's parse-only check: its syntax check, except Swift's, which type-checks and would report the
    /// names of atoms not written yet.
    static func parseCheck(for language: Language) -> Language.SyntaxCheck? {
        guard var check = language.syntaxCheck else { return nil }
        if language.name == "swift" {
            check.arguments = ["-parse", check.fileName]
            check.dependenciesFile = nil
            check.prependsImports = false
        }
        return check
    }

    /// A method's code inside an empty class of its language, since a method alone is not a program there.
    private static func enclosing(_ code: String, _ atom: Atom) -> EnclosingCode? {
        guard atom.kind == .method, let layout = ClassLayout(atom.language) else { return nil }
        let shell: String
        switch atom.language.name {
        case "python": return nil
        case "swift": shell = "extension Provided {\n}"
        default: shell = "class Provided {\n}"
        }
        let placed = layout.placing(
            [ClassLayout.Placement(name: atom.name, code: code, stubNote: "")], in: shell, className: "Provided")
        let (text, lines) = placed.withImportsInFront
        guard let unit = lines[atom.name] else { return nil }
        return EnclosingCode(text: text, unit: unit, unitOffset: placed.importLines[atom.name] ?? 0)
    }
}
