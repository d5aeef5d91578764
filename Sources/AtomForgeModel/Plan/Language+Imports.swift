import AtomForgeSystem

extension Language {
    /// The import lines at the start of `code`, and the rest: hoisted to the top of a file that holds several atoms,
    /// or of a class that holds several methods.
    package func splitImports(_ code: String) -> (imports: [String], body: String) {
        var lines = code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var imports: [String] = []
        while let first = lines.first {
            let trimmed = first.trimmingWhitespace()
            if trimmed.isEmpty, !imports.isEmpty {
                lines.removeFirst()
            } else if isImportLine(trimmed) {
                imports.append(trimmed)
                lines.removeFirst()
            } else {
                break
            }
        }
        return (imports, lines.joined(separator: "\n"))
    }
}
