import ArgumentParser
import AtomForge
import Foundation

/// `atomforge check PLAN…`: validates plans without calling any model.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check plan files without calling any model: schema, ids, dependencies, cycles, paths.",
        discussion: """
            Prints the atoms, the dependency levels, the critical path and the classes with their methods of each \
            valid plan (code a plan provides is parsed with its language's parser); for an invalid one, \
            every problem, one a line, as FILE:LINE:COLUMN: error: MESSAGE.

            Examples:
              atomforge check examples/plans/textkit.yaml
              generate-plan | atomforge check -

            Problems go to standard error, summaries to standard output. Under GitHub Actions \
            (GITHUB_ACTIONS=true) each problem is also printed as an ::error annotation on its file and line.

            Exit codes: 0 when every plan is valid, 2 when any is not, 64 for a usage error.
            """
    )

    @Argument(
        help: ArgumentHelp("Plan files (YAML or JSON); - reads one from standard input."),
        completion: .file(extensions: ["yaml", "yml", "json"]))
    var plans: [String]

    @Flag(name: .shortAndLong, help: "Print only problems, not the summary of valid plans.")
    var quiet = false

    func run() async throws {
        var allValid = true
        let actions = GitHubActions()
        for path in plans {
            var check = await BlockingIO.run {
                path == "-" ? Self.checkStandardInput() : PlanChecker.check(fileAt: path)
            }
            // Code the plan provides is parsed too (in the sandbox): a syntax error there is the plan's.
            if let plan = check.validPlan, plan.atoms.contains(where: { $0.providedCode != nil }) {
                check.diagnostics += await ProvidedCodeCheck.diagnostics(for: plan)
            }
            let name = path == "-" ? "<stdin>" : path
            // Problems on stderr, like a compiler's; the summary of a valid plan on stdout.
            for diagnostic in check.diagnostics {
                printError(diagnostic.described(in: name))
                actions?.annotate(diagnostic, in: name)
            }
            guard let plan = check.validPlan else {
                allValid = false
                printError("\(name): invalid: \(check.errors.count) problem\(check.errors.count == 1 ? "" : "s")")
                continue
            }
            if !quiet {
                Console.shared.write(PlanSummary(plan: plan, check: check, path: name).text + "\n", to: .output)
            }
        }
        if !allValid { throw ExitCode(2) }
    }

    /// The plan on standard input (`check -`), read to its end; named `stdin` when it has no `plan:` key.
    static func checkStandardInput() -> PlanCheck {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return PlanChecker.check(contents: Array(data), fallbackID: "stdin")
    }
}

/// The few lines `check` prints for a valid plan.
struct PlanSummary {
    let plan: Plan
    let check: PlanCheck
    let path: String

    var text: String {
        var languages: [String: Int] = [:]
        for atom in plan.atoms { languages[atom.language.name, default: 0] += 1 }
        let languageList = languages.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let files = Set(plan.atoms.map(\.file)).count
        var lines = [
            "\(path): valid plan '\(plan.id)'",
            "  atoms: \(plan.atoms.count) (\(languageList)) in \(files) file\(files == 1 ? "" : "s")",
            "  levels: \(check.levels.count)",
        ]
        for (number, level) in check.levels.enumerated() {
            lines.append("    \(number + 1): \(level.joined(separator: ", "))")
        }
        lines.append(
            "  critical path: \(check.criticalPath.count) atoms: \(check.criticalPath.joined(separator: " → "))")
        lines += nesting
        return lines.joined(separator: "\n")
    }

    /// Each class with its methods in plan order, and the atoms whose code the plan provides.
    var nesting: [String] {
        let types = plan.atoms.filter { $0.kind == .type }
        var lines: [String] = []
        if !types.isEmpty {
            let methods = plan.atoms.filter { $0.kind == .method }
            lines.append(
                "  classes: \(types.count) with \(methods.count) method\(methods.count == 1 ? "" : "s")")
            for type in types {
                let members = methods.filter { $0.parent == type.id }
                lines.append("    \(type.name) (\(type.id), \(type.file))")
                for method in members { lines.append("      .\(method.name) (\(method.id))") }
            }
        }
        let provided = plan.atoms.filter { $0.providedCode != nil }.map(\.id)
        if !provided.isEmpty { lines.append("  provided code: \(provided.joined(separator: ", "))") }
        return lines
    }
}
