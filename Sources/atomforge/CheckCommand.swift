import ArgumentParser
import AtomForge

/// `atomforge check PLAN…`: validates plans without calling any model.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check plan files without calling any model: schema, ids, dependencies, cycles, paths.",
        discussion: """
            Prints the atoms, the dependency levels and the critical path of each valid plan; for an invalid one, \
            every problem, one a line, as FILE:LINE:COLUMN: error: MESSAGE.

            Example:
              atomforge check examples/plans/textkit.yaml

            Exit codes: 0 when every plan is valid, 2 when any is not.
            """
    )

    @Argument(help: "Plan files (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var plans: [String]

    @Flag(name: .shortAndLong, help: "Print only problems, not the summary of valid plans.")
    var quiet = false

    func run() throws {
        var allValid = true
        for path in plans {
            let check = PlanChecker.check(fileAt: path)
            for diagnostic in check.diagnostics {
                print(diagnostic.described(in: path))
            }
            guard let plan = check.validPlan else {
                allValid = false
                print("\(path): invalid: \(check.errors.count) problem\(check.errors.count == 1 ? "" : "s")")
                continue
            }
            if !quiet { print(PlanSummary(plan: plan, check: check, path: path).text) }
        }
        if !allValid { throw ExitCode(2) }
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
        return lines.joined(separator: "\n")
    }
}
