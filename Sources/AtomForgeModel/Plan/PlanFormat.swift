/// How a plan file is written: the run folder keeps it under the same format (`plan.yaml` or `plan.json`). Both go
/// through the same parser (JSON is YAML); the format only names the file.
public enum PlanFormat: String, Sendable, Equatable {
    case yaml, json

    /// The format of a file named `name`: JSON for `.json`, YAML for anything else.
    public init(fileName name: String) {
        self = name.hasSuffix(".json") ? .json : .yaml
    }

    /// The extension of the plan file in a run folder.
    public var fileExtension: String { rawValue }
}
