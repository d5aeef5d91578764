import AtomForgeSystem

/// One thing wrong with (or worth knowing about) a plan file, with where it is.
public struct PlanDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        /// The plan cannot run until this is fixed.
        case error
        /// The plan runs; a person may still want to look (e.g. a key AtomForge does not know).
        case warning
    }

    public var severity: Severity
    public var message: String
    public var location: SourceLocation?

    public init(_ severity: Severity, _ message: String, at location: SourceLocation? = nil) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    public static func error(_ message: String, at location: SourceLocation? = nil) -> PlanDiagnostic {
        PlanDiagnostic(.error, message, at: location)
    }

    public static func warning(_ message: String, at location: SourceLocation? = nil) -> PlanDiagnostic {
        PlanDiagnostic(.warning, message, at: location)
    }

    /// `line:column: error: message`; see ``described(in:)`` for the full compiler form.
    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        return "\(place)\(severity.rawValue): \(message)"
    }

    /// `file:line:column: error: message`, or `file: error: message` when the problem has no place in the file.
    public func described(in file: String) -> String {
        location == nil ? "\(file): \(description)" : "\(file):\(description)"
    }
}
