import AtomForge
import Foundation
import Logging

/// One JSON object a line on stderr: `time` (RFC 3339 with milliseconds), `level`, `label`, `message`, and the
/// metadata as fields: numbers and booleans as JSON numbers and booleans, lists as arrays. A run's events carry
/// `event`, `plan`, `atom`, `attempt`, `status`, `reason` and the rest of ``RunEvent``'s fields.
///
/// Under journald each line starts with its priority (`<4>{…}`), which journald takes off and keeps as the record's
/// priority: the message it stores is the JSON object alone.
struct JSONLogHandler: LogHandler {
    let label: String
    var journald = false
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: Any] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[key] = Self.json(value)
        }
        fields["time"] = RunEvent.timestamp(Date())
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = "\(event.message)"
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        let prefix = journald ? JournaldPriority.prefix(for: event.level) : ""
        Console.shared.write(prefix + String(decoding: data, as: UTF8.self) + "\n")
    }

    /// A metadata value as JSON: what was logged as a number stays one.
    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value):
            switch value {
            case let number as Int: number
            case let number as Int32: Int(number)
            case let number as Double: number.isFinite ? number : "\(number)"
            case let flag as Bool: flag
            default: "\(value)"
            }
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}
