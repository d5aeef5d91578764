import AtomForge
import Foundation
import Logging

/// Log lines for a person: `time level label: [key=value …] message` on stderr, through the ``Console`` so that they
/// stay above a progress line.
///
/// Not swift-log's `StreamLogHandler`, because its output stream cannot be handed one that keeps a status line (its
/// initialiser taking a stream is internal), and because under journald each line needs its priority prefix.
struct TextLogHandler: LogHandler {
    let label: String
    /// Leaves out records that carry an `event` (a ``RunEvent``), for a terminal that shows them as progress.
    let hidesRunEvents: Bool
    /// Starts each line with its syslog priority (`<4>`) for journald, which then needs no time of ours.
    let journald: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let isRunEvent = event.metadata?["event"] != nil
        if hidesRunEvents, isRunEvent { return }
        // An event's message says its own fields in words: only the logger's metadata (the plan) stays in brackets.
        let shown = isRunEvent ? metadata : metadata.merging(event.metadata ?? [:]) { $1 }
        let metadataText =
            shown.isEmpty
            ? ""
            : "["
                + shown.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: " ") + "] "
        // One record, one line where lines are records (journald, a pipe to a log shipper).
        let text = LogRecordText.oneRecord(
            metadataText + "\(event.message)", asOneLine: journald || !Console.shared.errorIsTerminal)
        let line =
            journald
            ? "\(JournaldPriority.prefix(for: event.level))\(label): \(text)\n"
            : "\(Self.timestamp()) \(event.level) \(label): \(text)\n"
        Console.shared.write(line)
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601)
    }
}
