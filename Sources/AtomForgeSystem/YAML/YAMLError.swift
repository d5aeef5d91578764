/// A YAML file that could not be read, with the place where the reader gave up.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var location: SourceLocation?

    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }

    /// `line:column: message`, the form editors and compilers use.
    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}
