import Foundation
import Subprocess
import SystemPackage

/// `git` in a repository, its output collected: what ``RunExport`` builds a commit with. Plumbing only (a private
/// index, `hash-object`, `write-tree`, `commit-tree`, `update-ref`), so that a person's working tree, index and
/// checked-out branch are never touched.
struct Git: Sendable {
    /// The repository's folder.
    let folder: String
    /// Set for every call: a private index, and an identity where the repository has none.
    var environment: [String: String] = [:]

    struct Failure: Error, CustomStringConvertible {
        var command: String
        var said: String
        var description: String { "git \(command) failed: \(said)" }
    }

    /// Runs `git arguments…` with `input` on its standard input; its standard output, trimmed. A start that fails or
    /// a non-zero exit throws with what git said.
    @discardableResult
    func callAsFunction(_ arguments: String..., input: String = "") async throws(Failure) -> String {
        try await run(arguments, input: input)
    }

    /// ``callAsFunction(_:input:)`` with the arguments as a list.
    @discardableResult
    func run(_ arguments: [String], input: String = "") async throws(Failure) -> String {
        let command = arguments.first ?? ""
        let collected: (status: TerminationStatus, output: String, error: String)
        do {
            let result = try await Subprocess.run(
                .name("git"), arguments: Arguments(arguments),
                environment: .inherit.updating(
                    environment.reduce(into: [:]) { $0[Environment.Key(stringLiteral: $1.key)] = $1.value }),
                workingDirectory: FilePath(folder), input: .string(input), output: .string(limit: 16 << 20),
                error: .string(limit: 1 << 16))
            collected = (result.terminationStatus, result.standardOutput ?? "", result.standardError ?? "")
        } catch {
            throw Failure(command: command, said: "\(error)")
        }
        guard collected.status.isSuccess else {
            let said = collected.error.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(command: command, said: said.isEmpty ? "\(collected.status)" : said)
        }
        return collected.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The output of `git arguments…`, or nil when it fails (a question whose answer may be no).
    func answer(_ arguments: String...) async -> String? {
        try? await run(arguments)
    }
}
