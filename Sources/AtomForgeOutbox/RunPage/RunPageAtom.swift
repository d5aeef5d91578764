import AtomForgeModel

/// One atom as the run page's script shows it when a person opens it: the atom as planned, where it stands, and
/// every attempt with the diff to the attempt before it.
struct RunPageAtom: Encodable, Sendable {
    struct Attempt: Encodable, Sendable {
        var attempt: AttemptRecord
        /// The diff from the previous attempt's code (``LineDiff/encoded``); nil for the first attempt.
        var diff: [String]?
    }

    var id: String
    var name: String
    var file: String
    var language: String
    /// The Prism grammar that highlights the atom's code, when the page has one.
    var grammar: String?
    var description: String
    var tests: String?
    var dependsOn: [String]
    /// `passed`, `failed`, `blocked`, `pending` (not done yet) or `unfinished` (a stopped run did not reach it).
    var status: PageStatus
    var reason: String?
    var blockedBy: String?
    var writtenBy: String?
    /// What its `passed` rests on, in a line (`agreement: 2 of 3 candidates agree on 12 inputs`).
    var evidence: String?
    /// For an atom that did not pass: the file a person edits before `atomforge accept`.
    var editFile: String?
    var attempts: [Attempt]

    /// The grammars the page carries (scripts/vendor-prism), by AtomForge's language names.
    static let grammars: Set<String> = ["python", "swift", "javascript", "typescript"]

    init(atom: Atom, status: PageStatus, result: AtomResult?, attempts records: [AttemptRecord]) {
        id = atom.id
        name = atom.name
        file = atom.file
        language = atom.language.name
        grammar = Self.grammars.contains(atom.language.name) ? atom.language.name : nil
        description = atom.description
        tests = atom.tests
        dependsOn = atom.dependsOn
        self.status = status
        reason = result?.reason
        blockedBy = result?.blockedBy
        if result?.status == .passed { writtenBy = records.last?.writtenBy ?? "model" }
        evidence = result?.evidence.map { "\($0.level.rawValue): \($0.summary)" }
        if status != .passed { editFile = atom.editableReviewFile }
        var previous: String?
        attempts = records.map { record in
            defer { previous = record.code }
            return Attempt(attempt: record, diff: previous.map { LineDiff(from: $0, to: record.code).encoded })
        }
    }
}
