import Foundation

/// A log record's text kept to one record, whatever line breaks its message holds (a compiler's errors, a
/// traceback).
public enum LogRecordText {
    /// On one line (line breaks written `\n`) where lines are records: journald gives each line an entry and a
    /// priority of its own, and line-based log shippers split there. At a terminal, the later lines indented under
    /// the first, so a person sees where the record ends.
    public static func oneRecord(_ text: String, asOneLine: Bool) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        if asOneLine {
            return text.replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
                .replacingOccurrences(of: "\r", with: "\\r")
        }
        return text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n    ")
    }
}
