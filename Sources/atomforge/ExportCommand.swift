import ArgumentParser
import AtomForge
import Foundation

/// `atomforge export RUN --to DIR [--git | --patch FILE]`: a finished run's `src/` into a working tree, as files, a
/// commit on a branch, or a patch.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Bring a finished run's src/ into a working tree: as files, a commit on a branch, or a patch.",
        discussion: """
            Without --git or --patch, the files of src/ are copied into DIR (under --prefix), each by its path in \
            src/. A file there that differs is never overwritten unless --force: commit it first and use --git.

            With --git, DIR is (in) a git repository: the files are committed on a branch of their own (--branch, \
            by default atomforge/<plan>), from HEAD, or on top of the branch when it exists, with a message naming \
            the plan, its counts and the run. The commit is made with git's plumbing and a private index: the \
            working tree, the index and the checked-out branch stay exactly as they were; merge the branch when \
            you choose. With --patch FILE, the same commit is written as a patch (git format-patch) and no branch \
            is made.

            The files of atoms that did not pass hold stubs that raise: the command and the commit message list \
            them.

            Examples:
              atomforge export outbox/textkit --to ../textkit-lib
              atomforge export outbox/textkit --to ~/src/app --prefix lib --git
              atomforge export outbox/textkit --to ~/src/app --patch textkit.patch

            Exit codes: 0 exported, 1 refused (a file would be overwritten; a git error), 2 invalid arguments \
            (not a finished run, no such folder, not a git repository).
            """
    )

    @Argument(help: "The run folder: outbox/<plan>.", completion: .directory)
    var run: String

    @Option(name: .customLong("to"), help: "The working tree (a git repository's, for --git and --patch).")
    var destination: String

    @Option(help: "A folder inside the destination for the files (default: its top).")
    var prefix = ""

    @Flag(help: "Commit the files on a branch of their own, leaving the working tree and branch as they are.")
    var git = false

    @Option(help: "The branch for --git (default: atomforge/<plan>).")
    var branch: String?

    @Option(help: "Write the commit as a patch to this file instead of making a branch.", completion: .file())
    var patch: String?

    @Flag(help: "Copy over files that differ (without --git).")
    var force = false

    func validate() throws {
        if git, patch != nil { throw ValidationError("--git and --patch are two ways out: give one") }
        if branch != nil, !git { throw ValidationError("--branch goes with --git") }
        if force, git || patch != nil {
            throw ValidationError("--force is for a copy; --git and --patch overwrite nothing")
        }
    }

    func run() async throws {
        let folder = run.count > 1 && run.hasSuffix("/") ? String(run.dropLast()) : run
        let mode: RunExport.Mode
        if git {
            let plan = (folder as NSString).lastPathComponent
            mode = .commit(branch: branch ?? "atomforge/\(plan)")
        } else if let patch {
            mode = .patch(URL(fileURLWithPath: patch).standardizedFileURL.path)
        } else {
            mode = .copy(overwrite: force)
        }
        do {
            let outcome = try await RunExport.export(folder, to: destination, prefix: prefix, mode: mode)
            for line in outcome.lines { Console.shared.write(line + "\n", to: .output) }
        } catch {
            printError(error.description)
            throw ExitCode(error.refused ? 1 : 2)
        }
    }
}
