import AtomForgeSystem
import Foundation

/// Checks a plan file before any model is called, and reports every problem at once.
///
/// Used by `atomforge check`, and by `run` and the inbox before they take a plan on: a plan that fails here never
/// reaches the engine; the daemon moves it to `outbox/_rejected/` with these messages beside it.
public enum PlanChecker {
    /// Plan files larger than this are refused unread: no real plan comes close.
    public static let maximumFileSize = 16 * 1024 * 1024

    /// Reads and checks the plan file at `path`.
    public static func check(fileAt path: String) -> PlanCheck {
        let fallbackID = planID(fromFileName: path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return failed(.error("is a directory, not a plan file; give the plan's YAML or JSON file"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason =
                FileManager.default.fileExists(atPath: path)
                ? "cannot read the plan file (check its permissions)" : "no such plan file"
            return failed(.error(reason))
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maximumFileSize + 1)) ?? Data()
        let folder = (URL(fileURLWithPath: path).deletingLastPathComponent().path)
        return check(contents: Array(data), fallbackID: fallbackID, suiteBase: folder)
    }

    /// Checks a plan file's bytes, already read (the inbox reads them itself, never following a link). `suiteBase`:
    /// the folder suite files named by path are read from (the plan file's); without it they are an error.
    public static func check(contents bytes: [UInt8], fallbackID: String, suiteBase: String? = nil) -> PlanCheck {
        if bytes.count > maximumFileSize { return failed(.error(tooLarge)) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return failed(.error("the plan file is not UTF-8 text; save it as UTF-8 YAML or JSON"))
        }
        var check = check(text: text, fallbackID: fallbackID, suiteBase: suiteBase)
        check.text = text
        return check
    }

    package static let tooLarge =
        "the plan file is larger than \(maximumFileSize / 1024 / 1024) MiB; no plan is that big"

    /// Checks plan text; `fallbackID` names the plan if the text has no `plan` key; `suiteBase`: the folder suite
    /// files named by path are read from.
    public static func check(text: String, fallbackID: String = "plan", suiteBase: String? = nil) -> PlanCheck {
        let root: YAMLNode
        do {
            guard let loaded = try YAMLLoader.load(text) else {
                return failed(.error("the plan file is empty; a plan needs 'plan' and a list of 'atoms'"))
            }
            root = loaded
        } catch {
            return failed(.error("not valid YAML or JSON: \(error.message)", at: error.location))
        }
        var reader = PlanReader()
        var plan = reader.read(root, fallbackID: fallbackID)
        var diagnostics = reader.diagnostics
        if let read = plan {
            let resolved = SuiteFileReader.resolve(read, base: suiteBase)
            plan = resolved.plan
            diagnostics += resolved.problems
        }
        var levels: [[String]] = []
        var criticalPath: [String] = []
        if let plan {
            let graph = DependencyGraph(plan.atoms)
            diagnostics += problems(in: plan, graph: graph)
            if !diagnostics.contains(where: { $0.severity == .error }) {
                levels = graph.levels() ?? []
                criticalPath = graph.criticalPath()
            }
        }
        diagnostics.sort {
            ($0.location ?? SourceLocation(line: 0, column: 0)) < ($1.location ?? SourceLocation(line: 0, column: 0))
        }
        return PlanCheck(plan: plan, diagnostics: diagnostics, levels: levels, criticalPath: criticalPath)
    }

    /// The plan id a file would get without a `plan` key: its name without `.yaml`, `.yml` or `.json`.
    public static func planID(fromFileName path: String) -> String {
        var name = URL(fileURLWithPath: path).lastPathComponent
        for suffix in [".yaml", ".yml", ".json"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        return name
    }

    private static func failed(_ diagnostic: PlanDiagnostic) -> PlanCheck {
        PlanCheck(plan: nil, diagnostics: [diagnostic], levels: [], criticalPath: [])
    }

    /// What is wrong between atoms: ids, dependencies, cycles, files, names and declared levels.
    static func problems(in plan: Plan, graph: DependencyGraph) -> [PlanDiagnostic] {
        var problems: [PlanDiagnostic] = []
        var firstAtom: [String: Atom] = [:]
        for atom in plan.atoms {
            if let first = firstAtom[atom.id] {
                let place = first.location.map { " (first at \($0))" } ?? ""
                problems.append(.error("duplicate atom id '\(atom.id)'\(place)", at: atom.location))
            } else {
                firstAtom[atom.id] = atom
            }
        }
        for atom in plan.atoms {
            var listed = Set<String>()
            for dependency in atom.dependsOn {
                if !listed.insert(dependency).inserted {
                    problems.append(
                        .warning("atom '\(atom.id)' lists dependency '\(dependency)' twice", at: atom.location))
                } else if dependency == atom.id {
                    problems.append(.error("atom '\(atom.id)' depends on itself", at: atom.location))
                } else if firstAtom[dependency] == nil {
                    let guess = firstAtom.keys.sorted().first { $0.isCloseSpelling(of: dependency) }
                    let hint = guess.map { " (did you mean '\($0)'?)" } ?? ""
                    problems.append(
                        .error("atom '\(atom.id)' depends on unknown atom '\(dependency)'\(hint)", at: atom.location))
                }
            }
            if !atom.language.isKnown, !atom.language.name.isEmpty {
                problems.append(
                    .warning(
                        "atom '\(atom.id)': no built-in validator for language '\(atom.language.name)'; "
                            + "only structural checks and configured commands will run", at: atom.location))
            }
        }
        for cycle in graph.cycles() {
            let shown = (cycle + [cycle[0]]).joined(separator: " → ")
            let location = firstAtom[cycle[0]]?.location
            problems.append(.error("dependency cycle: \(shown) (each depends on the next)", at: location))
        }
        problems += fileProblems(plan)
        problems += nestingProblems(plan)
        if let declared = plan.declaredLevels {
            problems += levelProblems(declared, plan: plan, known: firstAtom)
        }
        return problems
    }

    private static func fileProblems(_ plan: Plan) -> [PlanDiagnostic] {
        var problems: [PlanDiagnostic] = []
        var definer: [String: Atom] = [:]
        var languageOfFile: [String: Atom] = [:]
        for atom in plan.atoms {
            // Methods of different classes may share a name (`area`, `__init__`); within one scope names are unique.
            let key = "\(atom.file)\u{0}\(atom.parent ?? "")\u{0}\(atom.name)"
            if let first = definer[key], first.id != atom.id {
                let scope = atom.parent.map { "class '\($0)' of \(atom.file)" } ?? atom.file
                problems.append(
                    .error(
                        "atoms '\(first.id)' and '\(atom.id)' both define '\(atom.name)' in \(scope); "
                            + "rename one or move it to another file", at: atom.location))
            } else {
                definer[key] = atom
            }
            if let first = languageOfFile[atom.file], first.language != atom.language {
                problems.append(
                    .error(
                        "\(atom.file) mixes languages: atom '\(first.id)' is \(first.language.name), "
                            + "atom '\(atom.id)' is \(atom.language.name)", at: atom.location))
            } else if languageOfFile[atom.file] == nil {
                languageOfFile[atom.file] = atom
                if let byExtension = Language.forFile(atom.file), byExtension != atom.language {
                    problems.append(
                        .warning(
                            "atom '\(atom.id)' is \(atom.language.name) but its file \(atom.file) "
                                + "looks like \(byExtension.name)", at: atom.location))
                }
            }
        }
        return problems
    }

    private static func levelProblems(
        _ declared: [[String]], plan: Plan, known: [String: Atom]
    ) -> [PlanDiagnostic] {
        var problems: [PlanDiagnostic] = []
        var levelOf: [String: Int] = [:]
        for (number, level) in declared.enumerated() {
            for id in level {
                if known[id] == nil {
                    problems.append(.error("levels: level \(number + 1) names unknown atom '\(id)'"))
                } else if let first = levelOf[id] {
                    problems.append(
                        .error("levels: atom '\(id)' appears in level \(first + 1) and level \(number + 1)"))
                } else {
                    levelOf[id] = number
                }
            }
        }
        for atom in plan.atoms {
            guard let level = levelOf[atom.id] else {
                if known[atom.id] != nil {
                    problems.append(.error("levels: atom '\(atom.id)' is in no level", at: atom.location))
                }
                continue
            }
            for dependency in atom.requires {
                guard dependency != atom.id, let dependencyLevel = levelOf[dependency], dependencyLevel >= level else {
                    continue
                }
                problems.append(
                    .error(
                        "levels contradict depends_on: atom '\(atom.id)' is in level \(level + 1) but depends on "
                            + "'\(dependency)' in level \(dependencyLevel + 1); "
                            + "a dependency must sit in an earlier level",
                        at: atom.location))
            }
        }
        return problems
    }
}
