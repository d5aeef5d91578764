import AtomForgeGeneration
import AtomForgeModel
import AtomForgeSystem
import Foundation

/// `atoms/<id>/report.json`: the atom as planned and every attempt at it.
struct AtomReport: Encodable {
    /// The version of this file's shape (`schemas/report.schema.json`): keys are only ever added, and a change that
    /// is not an addition raises it.
    var schemaVersion = 1
    var id: String
    var name: String
    var file: String
    var language: String
    /// `function`, `class` or `method`; a method's class is `parent`.
    var kind: AtomKind
    var parent: String?
    var dependsOn: [String]
    var status: AtomStatus
    var blockedBy: String?
    var reason: String?
    var tokens: TokenUsage
    /// For a passed atom: `model`, `person` when its code was accepted from a person (`atomforge accept`), or
    /// `plan` when the plan provided it.
    var writtenBy: String?
    /// What a passed atom's `passed` rests on (``Evidence``).
    var evidence: Evidence?
    /// Model calls that gathered evidence without writing code (proposed inputs), not among `attempts`.
    var evidenceCalls: Int
    var evidenceCallRecords: [EvidenceCall]?
    var attempts: [AttemptRecord]

    init(atom: Atom, result: AtomResult) {
        id = atom.id
        name = atom.name
        file = atom.file
        language = atom.language.name
        kind = atom.kind
        parent = atom.parent
        dependsOn = atom.dependsOn
        status = result.status
        blockedBy = result.blockedBy
        reason = result.reason
        tokens = result.tokens
        if result.status == .passed { writtenBy = result.attempts.last?.writtenBy ?? "model" }
        evidence = result.evidence
        evidenceCalls = result.evidenceCalls?.count ?? 0
        evidenceCallRecords = result.evidenceCalls
        attempts = result.attempts
    }
}

/// `review/<id>.md`: what a person needs to finish an atom that did not pass, in one page, with the commands that
/// take it further; beside it `review/<id>.<ext>`, the last attempt's code to edit and accept.
package enum ReviewPage {
    /// What the candidates' checks rested on and, after a vote, the groups and the inputs they differ on.
    static func evidenceSection(_ evidence: Evidence) -> String {
        var text = "\n## Evidence\n\n\(evidence.level.rawValue): \(evidence.summary).\n"
        guard let agreement = evidence.agreement else { return text }
        text +=
            "\nCandidates grouped by what they returned on the same inputs (attempt numbers; the first group won):\n\n"
        for (index, members) in agreement.members.enumerated() {
            text += "- group \(index + 1): attempts \(members.map(String.init).joined(separator: ", "))\n"
        }
        if !agreement.disagreements.isEmpty {
            text +=
                "\n| input | "
                + agreement.disagreements[0].outputs.indices.map { "group \($0 + 1)" }
                .joined(separator: " | ") + " |\n"
            text += "|---|" + String(repeating: "---|", count: agreement.disagreements[0].outputs.count) + "\n"
            for row in agreement.disagreements {
                let cells = ([row.input] + row.outputs).map {
                    "`"
                        + String($0.prefix(80)).replacingOccurrences(of: "|", with: "\\|")
                        .replacingOccurrences(of: "`", with: "'") + "`"
                }
                text += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        return text
    }

    /// `suiteFailures`: the plan's suite tests pinned on this atom that still fail after the suite's rounds; an atom
    /// that passed alone and still breaks them is put before a person too, with those tests first.
    static func markdown(
        atom: Atom, result: AtomResult, folder: String, suiteFailures: [SuiteResult.Test] = []
    ) -> String {
        let tag = atom.language.fenceTags[0]
        var text = "# \(atom.id): \(atom.name) — \(result.status.rawValue)"
        if result.status == .passed && !suiteFailures.isEmpty { text += " alone; the plan's suite fails on it" }
        text += "\n\n"
        if let reason = result.reason { text += "\(reason)\n\n" }
        text += "- file: `\(atom.file)`\n- language: \(atom.language.name)\n"
        if let parent = atom.parent { text += "- a method of the class in atom `\(parent)`\n" }
        if !atom.dependsOn.isEmpty {
            text += "- depends on: \(atom.dependsOn.map { "`\($0)`" }.joined(separator: ", "))\n"
        }
        text += "\n## What it must do\n\n\(atom.description)\n"
        if let tests = atom.tests { text += "\n## Its tests\n\n```\(tag)\n\(tests.trimmingWhitespace())\n```\n" }
        if result.status == .blocked {
            text += "\nIt was not generated because `\(result.blockedBy ?? "?")` failed: fix that atom first "
            text += "(see `review/\(result.blockedBy ?? "?").md`); this one is generated as soon as it passes.\n"
            return text
        }
        if !suiteFailures.isEmpty { text += suiteSection(suiteFailures) }
        if let evidence = result.evidence { text += evidenceSection(evidence) }
        if let enclosing = result.attempts.last(where: { $0.enclosing != nil })?.enclosing {
            text += "\n## In its class\n\nThe last attempt was validated in its class as it stood (methods it does "
            text += "not depend on are stubs there):\n\n```\(tag)\n\(enclosing)\n```\n"
        }
        text += "\n## Take it further\n\n"
        text += "- By hand: edit `\(atom.editableReviewFile)` (it holds the last attempt's code), then run\n"
        text +=
            "  `atomforge accept \(ShellWord.quote(folder)) \(atom.id)` — it is validated like the model's code; "
            + "if it passes, the "
            + "atom "
        text += "is yours and the atoms waiting on it are generated.\n"
        text +=
            "- By the model again: `atomforge retry \(ShellWord.quote(folder)) --atoms \(atom.id)` "
            + "(add `--config FILE` for "
        text += "another model).\n"
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

    /// The suite's tests that fail on the atom's code in the assembled tree, with what the test runner said.
    static func suiteSection(_ tests: [SuiteResult.Test]) -> String {
        var text = "\n## The plan's suite fails on it\n\n"
        text += "These tests of the plan's suite fail, and their failure is pinned on this atom's lines of `src/`:\n"
        for test in tests.prefix(20) {
            text += "\n- `\(test.name)` \(test.outcome.rawValue)"
            if let message = test.message, !message.isEmpty { text += ":\n\n```\n\(message)\n```\n" }
        }
        if tests.count > 20 { text += "\n- … and \(tests.count - 20) more\n" }
        return text
    }

    /// The section added to the review page when a person's code was not accepted.
    package static func refusal(_ attempt: AttemptRecord, at time: String) -> String {
        var text = "\n## Not accepted: \(attempt.source ?? "a person's code"), checked \(time)\n\n"
        text += attempt.failures.map { "- **\($0.severity.rawValue)** (\($0.validator)): \($0.message)" }
            .joined(separator: "\n")
        return text + "\n"
    }
}

extension Atom {
    /// The file, relative to the run folder, that holds a failed atom's last code for a person to edit and accept.
    public var editableReviewFile: String {
        "review/" + id + "." + (language.fileExtensions.first ?? "txt")
    }
}
