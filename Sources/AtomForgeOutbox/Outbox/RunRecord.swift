import AtomForgeModel
import AtomForgeSystem
import Foundation

/// What a run folder remembers of how it was made: for each job that ran in it (`run`, `retry`, `accept`, the
/// daemon), the config file it ran with, the model, and AtomForge's version; and a copy of the latest config's text.
///
/// A run folder outlives the shell it was made in: a person reviews it from another directory, a pipeline hands it
/// on. `retry` and `accept` without `--config` take the config the run was made with from here, so that the
/// commands AtomForge suggests work wherever they are pasted; and a person who wonders which model wrote `src/`
/// finds it here. The copy (`config.yaml`) keeps the settings when the file itself is gone or changed since. A
/// config holds no secret (a key is named by its environment variable, never written), so the copy holds none.
public struct RunRecord: Codable, Sendable, Equatable {
    /// The record, in the run folder.
    public static let fileName = "run.json"
    /// The text of the config of the latest job, in the run folder.
    public static let configCopyName = "config.yaml"

    public var schemaVersion = 1
    /// Every job that ran in the folder, the earliest first.
    public var jobs: [Job] = []

    /// One job in the folder.
    public struct Job: Codable, Sendable, Equatable {
        /// When it started, ISO 8601 in UTC.
        public var startedAt: String
        /// The config file, as an absolute path; nil for settings that came from no file.
        public var config: String?
        /// The folder its relative paths (`paths.outbox`, the model server's files) are resolved against.
        public var configDirectory: String
        public var provider: String
        public var model: String
        public var baseURL: String
        /// The model `escalate` steps send to, when the config has one.
        public var escalationModel: String?
        public var atomforgeVersion: String

        enum CodingKeys: String, CodingKey {
            case startedAt = "started_at"
            case config
            case configDirectory = "config_directory"
            case provider, model
            case baseURL = "base_url"
            case escalationModel = "escalation_model"
            case atomforgeVersion = "atomforge_version"
        }
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case jobs
    }

    public init() {}

    /// The job `config` describes, starting now.
    static func job(_ config: PipelineConfig) -> Job {
        Job(
            startedAt: Date.now.formatted(.iso8601), config: config.file, configDirectory: config.directory,
            provider: config.provider.kind.rawValue, model: config.provider.model, baseURL: config.provider.baseURL,
            escalationModel: config.escalation?.provider.model, atomforgeVersion: AtomForgeVersion.current)
    }

    /// Adds a job run with `config` to the record of `folder`, and copies the config's text beside it. Blocking
    /// (files): called off the cooperative pool.
    package static func note(_ config: PipelineConfig, in folder: RunFolder) throws(OutboxError) {
        var record = read(at: folder.root) ?? RunRecord()
        record.jobs.append(job(config))
        if let text = config.text {
            try AtomicFile.write(text, to: folder.root + "/" + configCopyName)
        }
        try AtomicFile.write(OutboxJSON.encode(record), to: folder.root + "/" + fileName)
    }

    /// The record of the run folder reached at `root`; nil when it has none, or one that does not read.
    static func read(at root: String) -> RunRecord? {
        guard let data = FileManager.default.contents(atPath: root + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(RunRecord.self, from: data)
    }

    /// The config a run folder was last run with, for a command that goes on with it: its file while that is still
    /// there, else the copy the folder keeps (read with the relative paths of the file it was copied from). Nil
    /// when the folder has no record (a run of an older AtomForge) or cannot be opened: the command falls back to
    /// its default.
    public static func rememberedConfig(ofRunFolder path: String) -> RememberedConfig? {
        guard let folder = try? OutboxFolder.open(path), let record = read(at: folder.root),
            let latest = record.jobs.last
        else { return nil }
        if let file = latest.config, FileManager.default.isReadableFile(atPath: file) {
            return RememberedConfig(file: file, copy: nil, directory: latest.configDirectory)
        }
        guard let data = FileManager.default.contents(atPath: folder.root + "/" + configCopyName) else { return nil }
        return RememberedConfig(
            file: latest.config, copy: String(decoding: data, as: UTF8.self), directory: latest.configDirectory)
    }
}

/// The config a run folder remembers (``RunRecord/rememberedConfig(ofRunFolder:)``).
public struct RememberedConfig: Sendable, Equatable {
    /// The config file the run was made with; when `copy` is set, the file that is gone (nil: it came from none).
    public var file: String?
    /// The text kept in the run folder, when the file itself can no longer be read.
    public var copy: String?
    /// The folder the config's relative paths are resolved against.
    public var directory: String

    /// The settings: the file read, or the copy parsed with the file's relative paths. `shownAs` names the copy in
    /// errors.
    public func load(shownAs copyName: String) throws(ConfigError) -> PipelineConfig {
        guard let copy else { return try PipelineConfig.load(fromFile: file ?? "pipeline.yaml") }
        var config = try PipelineConfig.parse(copy, file: copyName)
        config.directory = directory
        config.file = file
        config.text = copy
        return config
    }
}
