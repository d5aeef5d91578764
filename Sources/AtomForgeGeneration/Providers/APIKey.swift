import AtomForgeSystem

/// An API key read from the environment. Its description is always `<redacted>`, so a key cannot reach a log line,
/// an error message or a report by accident; only the provider that sends it reads ``value``.
public struct APIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    /// The environment variable it came from, safe to name in messages.
    public let variable: String

    public init(value: String, variable: String) {
        self.value = value
        self.variable = variable
    }

    /// The key in `variable`, nil when the variable is unset or empty.
    public static func fromEnvironment(_ variable: String, environment: [String: String]) -> APIKey? {
        guard let value = environment[variable]?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return APIKey(value: value, variable: variable)
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }

    /// `text` with every occurrence of the key replaced, for messages built from what a server said.
    public func redact(_ text: String) -> String {
        value.count < 4 ? text : text.replacing(value, with: "<redacted>")
    }
}
