import ArgumentParser
import AtomForge
import Foundation

/// `atomforge`: turns plan files into source code. Each subcommand is a thin shell over the AtomForge library.
@main
struct AtomForgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atomforge",
        abstract: "Turn plans of small code units into validated source code with an LLM.",
        discussion: """
            A plan file lists atoms (functions, types) and their dependencies. AtomForge generates each atom in \
            dependency order, validates it with real tools, retries failures with the errors fed back, and writes \
            the source tree and a report per atom into the outbox.

            Exit codes: 0 success, 1 some atoms failed or were blocked, 2 invalid plan or config, 3 budget stop, \
            4 the provider could not be reached or the results could not be written (the run is kept, to go on \
            with), 64 a command line it cannot parse.
            """,
        version: AtomForgeVersion.current,
        subcommands: [
            WatchCommand.self, RunCommand.self, RetryCommand.self, AcceptCommand.self, CheckCommand.self,
            StatusCommand.self, ExportCommand.self, PromptCommand.self, PingCommand.self, HealthCommand.self,
            CompletionsCommand.self,
        ]
    )

    /// Ignores SIGPIPE before any subcommand runs: a write to a pipe whose reader is gone (a sandboxed helper that
    /// a signal to the whole process group ended, as `systemctl stop` or `kill -- -pgid` sends it) must fail with
    /// EPIPE and fall back, not end the daemon in the middle of its graceful shutdown.
    static func main() async {
        MallocTuning.apply()
        StandardStream.ignoreBrokenPipes()
        if let unknown = mistypedSubcommand(CommandLine.arguments) {
            printError(unknown)
            Foundation.exit(64)
        }
        await main(nil)
    }

    /// For `atomforge rnu plan.yaml`: what the user meant, instead of the parser's "2 unexpected arguments". Nil
    /// when the first argument is an option, a subcommand, or nothing like one.
    static func mistypedSubcommand(_ arguments: [String]) -> String? {
        guard arguments.count > 1, let word = arguments.dropFirst().first, !word.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(word), let meant = Spelling.closest(to: word, among: names) else { return nil }
        return "Error: unknown command '\(word)'; did you mean '\(meant)'? (atomforge --help lists the commands)"
    }
}
