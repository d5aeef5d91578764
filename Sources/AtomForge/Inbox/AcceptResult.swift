/// What came of a fix handed in through the inbox (`<file>.accept.yaml`), for a script: `<file>.result.json` beside
/// the prose of `<file>.result.txt`.
struct AcceptResult: Encodable, Sendable {
    var schemaVersion = 1
    var atom: String
    /// Whether the code passed and the atom is now a person's.
    var accepted: Bool
    /// What `atomforge accept` would have exited with: 0 accepted and every atom passed, 1 refused or atoms still
    /// fail, 2 nothing to accept, 4 the provider could not be reached for the atoms that follow.
    var exitCode: Int
    /// The lines `atomforge accept` would have printed (the same as the text file's).
    var messages: [String] = []
}
