import ArgumentParser
import AtomForge
import Foundation
import Logging
import ServiceLifecycle

/// `atomforge accept OUTBOX_DIR ID [FILE]`: a person's code for an atom, validated like the model's.
struct AcceptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept",
        abstract: "Accept a person's code for an atom of a run, if it passes the atom's validation.",
        discussion: """
            Each failed atom's review page names an editable file, review/<id>.<ext>, holding the last attempt's \
            code. Fix it there (or anywhere, and give the FILE), then accept it: it runs through the same \
            validators and tests as the model's code. If it passes, the atom is passed and recorded as a person's \
            (report.json: written_by person, the attempt's kind person and its source file), and the atoms it \
            blocked are generated at once. If it fails, the errors are printed and added to the review page, and \
            the atom stays as it was. The file is only read, never changed.

            Example:
              atomforge accept outbox/textkit compute_stats
              atomforge accept outbox/textkit compute_stats ~/fixes/compute_stats.py

            Exit codes: 0 accepted and every atom passed, 1 not accepted (or other atoms still fail), 2 nothing to \
            accept (unknown atom, already passed, a missing file, dependencies not passed), 4 the provider could not \
            be reached for the atoms that follow.
            """
    )

    @Argument(help: "The run folder: outbox/<plan>.", completion: .directory)
    var folder: String

    @Argument(help: "The atom's id.")
    var atom: String

    @Argument(help: "The code to accept; default: the run folder's review/<id>.<ext>.", completion: .file())
    var file: String?

    @Option(
        help: ArgumentHelp(
            "The pipeline settings file (validators, and the model for the atoms that follow); by default the one "
                + "the run was made with (the run folder's run.json), else pipeline.yaml here."))
    var config: String?

    @Flag(help: "Refuse, rather than wait, when another process is running this folder.")
    var noWait = false

    @Option(help: ArgumentHelp("text, json or stream-json, as for `run` (docs/events.md)."))
    var outputFormat = OutputFormat.text

    @OptionGroup var shutdown: ShutdownOptions

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        guard
            let command = PlanJobCommand(
                config: .runFolder(folder, explicit: config), logging: logging, format: outputFormat,
                shutdown: shutdown)
        else {
            throw ExitCode(2)
        }
        let opened = try await command.openRunFolder(folder, noWait: noWait)
        let (runFolder, plan) = (opened.folder, opened.plan)
        guard let target = plan.atoms.first(where: { $0.id == atom }) else {
            throw command.refuse([plan.unknownAtom(atom)])
        }
        let source = file ?? "\(runFolder.path)/\(target.editableReviewFile)"
        if file == nil, runFolder.earlier.results[target.id]?.status == .passed,
            !FileManager.default.fileExists(atPath: source)
        {
            // Nothing to review: a person who wants to replace a passed atom's code says where theirs is.
            throw command.refuse([
                "atom \(target.id) has passed already (its code: \(runFolder.path)/atoms/\(target.id)/); to replace "
                    + "it with yours, give your file: atomforge accept \(ShellWord.quote(runFolder.path)) \(target.id) "
                    + "FILE"
            ])
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw command.refuse([
                "cannot read \(source): "
                    + (file == nil
                        ? "write the atom's code there (its review page says what it must do), or give the file"
                        : "no such file, or not readable")
            ])
        }
        guard let code = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .newlines), !code.isEmpty else {
            throw command.refuse(["\(source) is empty or not UTF-8 text; it must hold the atom's code"])
        }
        let atomID = target.id
        // The model server is started only when atoms are left to generate after this one.
        let exitCode = try await command.run(
            needsModel: AcceptJob.leavesWork(accepting: target.id, plan: plan, journal: runFolder.earlier)
        ) { services in
            let outcome = await AcceptJob.accept(
                atom: atomID, code: code, from: source, plan: plan, in: runFolder, services: services)
            return PlanJob.Outcome(
                ending: outcome.ending, passed: outcome.passed, folder: runFolder.path, messages: outcome.messages,
                summary: outcome.summary)
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
