import ArgumentParser
import Foundation
import Logging

/// Options every long-running subcommand shares.
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Option(help: "Least important log level shown: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(
        help: ArgumentHelp(
            "text (default), or json: one JSON object a line, for log pipelines (docs/events.md lists the fields)."))
    var logFormat: Format = .text

    /// Sends logs to stderr (journald keeps them) and returns the root logger. With `hidingRunEvents`, the text
    /// log leaves out the run's own events, which the terminal's progress display shows instead.
    func bootstrap(label: String = "atomforge", hidingRunEvents: Bool = false) -> Logger {
        let level = logLevel
        let format = logFormat
        let journald = JournaldPriority.isJournalStream()
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .text: TextLogHandler(label: label, hidesRunEvents: hidingRunEvents, journald: journald)
                case .json: JSONLogHandler(label: label, journald: journald)
                }
            handler.logLevel = level
            return handler
        }
        return Logger(label: label)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
