import ArgumentParser
import AtomForge
import Foundation
import Logging
import ServiceLifecycle

/// `atomforge retry OUTBOX_DIR`: the failed and blocked atoms of a run generated again, in the same folder.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Generate the failed and blocked atoms of a run again, in its folder, keeping what passed.",
        discussion: """
            Every passed atom and its code stays as it is and is never requested again. Each failed atom gets a \
            new ladder of attempts, numbered on from its earlier ones (which stay in its report); the atoms it \
            blocked follow once it passes. Reports, review pages, src/, summary.* and the journal are brought up to \
            date. With another --config, this is how only the failures go to a stronger model. The run folder is \
            locked while it runs: a daemon or another command working on it is waited for (--no-wait refuses).

            Example:
              atomforge retry outbox/textkit --config examples/config/escalate-1.5b.yaml
              atomforge retry outbox/textkit --atoms compute_stats,truncate_words

            Exit codes as for `run`: 0 every atom passed, 1 some still fail, 2 invalid config or arguments, 3 budget, \
            4 the provider could not be reached.
            """
    )

    @Argument(help: "The run folder: outbox/<plan>.", completion: .directory)
    var folder: String

    @Option(
        help: ArgumentHelp(
            "The pipeline settings file the atoms are generated with; by default the one the run was made with "
                + "(the run folder's run.json), else pipeline.yaml here."))
    var config: String?

    @Option(help: "Only these failed atoms (comma-separated ids); the blocked ones follow them.")
    var atoms: String?

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
        let retry: PlanJob.Retry
        do {
            retry = try Self.selection(atoms, plan: plan, journal: runFolder.earlier)
        } catch {
            throw command.refuse([error.message])
        }
        let code = try await command.run(needsModel: PlanJob.hasWork(plan, in: runFolder, retry: retry)) { services in
            await PlanJob.run(plan, in: runFolder, services: services, retry: retry)
        }
        if code != 0 { throw ExitCode(code) }
    }

    struct SelectionError: Error {
        var message: String
    }

    /// The failed atoms `--atoms` names (every failed one without it); an id the plan lacks, or one that did not
    /// fail, is an error that says what the run holds.
    static func selection(_ list: String?, plan: Plan, journal: Journal.State) throws(SelectionError) -> PlanJob.Retry {
        guard let list else { return .all }
        let ids = list.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        guard !ids.isEmpty else { throw SelectionError(message: "--atoms names no atom; give ids, e.g. --atoms a,b") }
        let known = Set(plan.atoms.map(\.id))
        let failed = Set(journal.results.values.filter { $0.status == .failed }.map(\.id))
        let retriable = failed.union(journal.unfinished.keys)
        for id in ids where !known.contains(id) {
            throw SelectionError(message: plan.unknownAtom(id))
        }
        for id in ids where !retriable.contains(id) {
            let status = journal.results[id]?.status.rawValue ?? "not generated yet (blocked or never reached)"
            throw SelectionError(
                message: "atom \(id) is \(status), not failed; failed atoms: "
                    + (failed.isEmpty ? "none" : failed.sorted().joined(separator: ", ")))
        }
        return .only(Set(ids))
    }
}
