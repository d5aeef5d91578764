import AtomForge
import Foundation

/// Where a command's settings come from: a config file (`run`: `--config`, by default `pipeline.yaml` here), or,
/// for a command that goes on with a run folder (`retry`, `accept`), the config that run was made with unless
/// `--config` names another.
enum ConfigSource {
    case file(String)
    /// The run folder, and the `--config` given, if any.
    case runFolder(String, explicit: String?)

    /// What `--config` means when it is not given.
    static let defaultFile = "pipeline.yaml"

    /// The settings, or nil after saying on stderr what is wrong with them. Which remembered config is used is said
    /// on stderr when it is not the default file here.
    func load() -> PipelineConfig? {
        switch self {
        case .file(let path):
            return loadConfig(path)
        case .runFolder(_, let explicit?):
            return loadConfig(explicit)
        case .runFolder(let folder, nil):
            guard let remembered = RunRecord.rememberedConfig(ofRunFolder: folder) else {
                return loadConfig(Self.defaultFile)
            }
            let here = URL(fileURLWithPath: Self.defaultFile).standardizedFileURL.path
            let copy = "\(folder.hasSuffix("/") ? String(folder.dropLast()) : folder)/\(RunRecord.configCopyName)"
            if remembered.copy != nil {
                printError(
                    "the config this run was made with, \(remembered.file ?? "(none)"), cannot be read any more: "
                        + "using its copy \(copy) (--config to use another)")
            } else if let file = remembered.file, file != here {
                printError("using the config this run was made with: \(file) (--config to use another)")
            }
            do {
                return try remembered.load(shownAs: copy)
            } catch {
                printError(error.description)
                return nil
            }
        }
    }

    /// How errors name it.
    var shown: String {
        switch self {
        case .file(let path): path
        case .runFolder(_, let explicit?): explicit
        case .runFolder(let folder, nil): "of the run \(folder)"
        }
    }
}
