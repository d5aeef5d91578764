import AtomForgeSystem
import Foundation
import Logging

/// Under systemd, a line's syslog priority as journald reads it from the start of the line (`<3>` an error), so
/// that `journalctl -p warning` shows warnings and worse. See sd-daemon(3).
enum JournaldPriority {
    /// Whether standard error is the journal stream systemd gave the service: `JOURNAL_STREAM` names its device
    /// and inode (systemd.exec(5)), which a redirected stderr no longer matches.
    static func isJournalStream(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        guard let stream = StandardStream.error.identity else { return false }
        return stream.device == device && stream.inode == inode
    }

    static func prefix(for level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "<7>"
        case .info: "<6>"
        case .notice: "<5>"
        case .warning: "<4>"
        case .error: "<3>"
        case .critical: "<2>"
        }
    }
}
