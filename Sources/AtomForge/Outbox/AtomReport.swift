/// `atoms/<id>/report.json`: the atom as planned and every attempt at it.
struct AtomReport: Encodable {
    var id: String
    var name: String
    var file: String
    var language: String
    var dependsOn: [String]
    var status: AtomStatus
    var blockedBy: String?
    var reason: String?
    var tokens: TokenUsage
    var attempts: [AttemptRecord]

    init(atom: Atom, result: AtomResult) {
        id = atom.id
        name = atom.name
        file = atom.file
        language = atom.language.name
        dependsOn = atom.dependsOn
        status = result.status
        blockedBy = result.blockedBy
        reason = result.reason
        tokens = result.tokens
        attempts = result.attempts
    }
}

/// `review/<id>.md`: what a person needs to finish an atom that did not pass, in one page.
enum ReviewPage {
    static func markdown(atom: Atom, result: AtomResult) -> String {
        let tag = atom.language.fenceTags[0]
        var text = "# \(atom.id): \(atom.name) — \(result.status.rawValue)\n\n"
        text += "\(result.reason ?? "")\n\n"
        text += "- file: `\(atom.file)`\n- language: \(atom.language.name)\n"
        if !atom.dependsOn.isEmpty {
            text += "- depends on: \(atom.dependsOn.map { "`\($0)`" }.joined(separator: ", "))\n"
        }
        text += "\n## What it must do\n\n\(atom.description)\n"
        if let tests = atom.tests { text += "\n## Its tests\n\n```\(tag)\n\(tests.trimmingWhitespace())\n```\n" }
        if result.status == .blocked {
            text += "\nIt was not generated because `\(result.blockedBy ?? "?")` failed: fix that atom first "
            text += "(see `review/\(result.blockedBy ?? "?").md`).\n"
            return text
        }
        for attempt in result.attempts {
            let temperature = attempt.temperature.map { " at temperature \($0)" } ?? ""
            var how = attempt.kind.map { " — \($0)" } ?? ""
            if let repaired = attempt.repairs { how += " of attempt \(repaired)" }
            if let model = attempt.model { how += " by \(model)" }
            text += "\n## Attempt \(attempt.number)\(how)\(temperature)\n\n"
            if let original = attempt.duplicateOf {
                text += "The same code as attempt \(original); not validated again.\n"
                continue
            }
            text += "```\(tag)\n\(attempt.code)\n```\n"
            let shown = attempt.issues.filter { $0.severity >= .warning }
            if !shown.isEmpty {
                text +=
                    "\n"
                    + shown.map { "- **\($0.severity.rawValue)** (\($0.validator)): \($0.message)" }
                    .joined(separator: "\n") + "\n"
            }
        }
        return text
    }
}
