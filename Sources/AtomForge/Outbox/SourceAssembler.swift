/// Assembles the output tree: every file with its atoms' code in dependency order, imports gathered and
/// de-duplicated at the top.
///
/// Import lines at the start of an atom's code are hoisted too, so a model that repeats `import re` does not leave
/// it in the middle of a file. For Python, a dependency defined in another file of the plan is imported from that
/// file's module, so the tree runs as it is. Atoms that did not pass leave a comment in their place pointing at
/// their review file.
public enum SourceAssembler {
    /// File path → file contents.
    public static func assemble(_ plan: Plan, results: [String: AtomResult]) -> [String: String] {
        let graph = DependencyGraph(plan.atoms)
        let fileOfAtom = Dictionary(plan.atoms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var files: [String: (language: Language, imports: [String], bodies: [String])] = [:]
        var order: [String] = []
        for index in graph.topologicalOrder {
            let atom = plan.atoms[index]
            if files[atom.file] == nil {
                files[atom.file] = (atom.language, [], [])
                order.append(atom.file)
            }
            var imports = atom.imports
            if atom.language.fromImports {
                for dependency in atom.dependsOn {
                    guard let other = fileOfAtom[dependency], other.file != atom.file, other.file.hasSuffix(".py")
                    else {
                        continue
                    }
                    let module = other.file.dropLast(3).replacing("/", with: ".")
                    imports.append("from \(module) import \(other.name)")
                }
            }
            let result = results[atom.id]
            if let result, result.status == .passed, let code = result.code {
                let (hoisted, body) = splitImports(code, language: atom.language)
                imports += hoisted
                files[atom.file]!.bodies.append(body)
            } else {
                let status = result?.status.rawValue ?? "unfinished"
                files[atom.file]!.bodies.append(
                    "\(atom.language.lineComment) atom '\(atom.id)' (\(atom.name)) \(status): see review/\(atom.id).md")
            }
            files[atom.file]!.imports += imports
        }
        var output: [String: String] = [:]
        for file in order {
            let entry = files[file]!
            var seen = Set<String>()
            let imports = entry.imports.filter { seen.insert($0).inserted }
            var text = imports.joined(separator: "\n")
            if !text.isEmpty { text += "\n\n\n" }
            text += entry.bodies.joined(separator: "\n\n\n") + "\n"
            output[file] = text
        }
        return output
    }

    /// The import lines at the start of `code`, and the rest.
    static func splitImports(_ code: String, language: Language) -> (imports: [String], body: String) {
        var lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var imports: [String] = []
        while let first = lines.first {
            let trimmed = first.trimmingWhitespace()
            if trimmed.isEmpty, !imports.isEmpty {
                lines.removeFirst()
            } else if isImport(trimmed, language: language) {
                imports.append(trimmed)
                lines.removeFirst()
            } else {
                break
            }
        }
        return (imports, lines.joined(separator: "\n"))
    }

    static func isImport(_ line: String, language: Language) -> Bool {
        language.isImportLine(line)
    }
}
