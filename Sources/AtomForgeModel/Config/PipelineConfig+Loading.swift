import AtomForgeSystem
import Foundation

extension PipelineConfig {
    /// Reads and checks a config file, or throws every problem it has.
    ///
    /// Relative paths in the file (`paths.inbox`, `paths.outbox`) are resolved against the file's own folder, so
    /// `atomforge watch --config /srv/forge/pipeline.yaml` works from any working directory.
    public static func load(fromFile path: String) throws(ConfigError) -> PipelineConfig {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists, isDirectory.boolValue {
            throw ConfigError(
                file: path, problems: [YAMLError("is a directory; --config names the config file (pipeline.yaml)")])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason =
                exists
                ? "cannot read the config file (check its permissions)"
                : "the config file does not exist; create it (docs/configuration.md lists the keys) or point "
                    + "--config at another"
            throw ConfigError(file: path, problems: [YAMLError(reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, problems: [YAMLError("the config file is not UTF-8 text")])
        }
        var config = try parse(text, file: path)
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        config.directory = absolute.deletingLastPathComponent().path
        config.file = absolute.path
        config.text = text
        return config
    }

    /// Parses and checks config text; `file` names it in errors.
    public static func parse(_ text: String, file: String = "pipeline.yaml") throws(ConfigError) -> PipelineConfig {
        let root: YAMLNode
        do {
            root = try YAMLLoader.load(text) ?? YAMLNode(.mapping([]), at: SourceLocation(line: 1, column: 1))
        } catch {
            throw ConfigError(file: file, problems: [error])
        }
        // Every problem at once: a wrong type in one section does not hide a typo in the next, nor an impossible
        // value elsewhere (checked on what did decode).
        let (decoded, decodingProblems) = YAMLDecoder().decodeReportingAll(PipelineConfig.self, from: root)
        guard let config = decoded else { throw ConfigError(file: file, problems: decodingProblems) }
        let problems =
            decodingProblems
            + config.problems().map { problem in
                let keys = problem.keyPath.map { AnyCodingKey(stringValue: $0) }
                return YAMLError(
                    "\(problem.keyPath.joined(separator: ".")) \(problem.message)", at: root.located(at: keys)?.location
                )
            }
        if !problems.isEmpty {
            // In the file's order, as a person fixes them; problems of no one place last.
            let ordered = problems.enumerated().sorted { first, second in
                let a = first.element.location.map { ($0.line, $0.column) } ?? (Int.max, Int.max)
                let b = second.element.location.map { ($0.line, $0.column) } ?? (Int.max, Int.max)
                return a != b ? a < b : first.offset < second.offset
            }
            throw ConfigError(file: file, problems: ordered.map(\.element))
        }
        return config
    }

    /// The inbox folder, resolved against the config file's folder.
    public var inboxPath: String { resolve(paths.inbox) }

    /// The outbox folder, resolved against the config file's folder.
    public var outboxPath: String { resolve(paths.outbox) }

    /// The metrics file, resolved against the config file's folder; nil when none is configured.
    public var metricsPath: String? { metrics.textfile.isEmpty ? nil : resolve(metrics.textfile) }

    /// A path from the config, resolved against the config file's folder.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).path
    }
}
