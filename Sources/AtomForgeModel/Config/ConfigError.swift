import AtomForgeSystem

/// A `pipeline.yaml` that cannot be used, with every problem found, each located where possible.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var problems: [YAMLError]

    public init(file: String, problems: [YAMLError]) {
        self.file = file
        self.problems = problems
    }

    /// One problem a line, `file:line:column: error: message`.
    public var description: String {
        problems.map { problem in
            let place = problem.location.map { "\(file):\($0)" } ?? file
            return "\(place): error: \(problem.message)"
        }.joined(separator: "\n")
    }
}
