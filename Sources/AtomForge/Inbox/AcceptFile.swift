import AtomForgeSystem
import Foundation

/// A person's fix handed in through the inbox, for pipelines without a shell: a file named `*.accept.yaml` (or
/// `.yml`, `.json`) that names the run and the atom and holds the code.
///
/// ```yaml
/// run: textkit            # the run folder under the outbox
/// atom: compute_stats
/// code: |
///   def compute_stats(text: str) -> TextStats:
///       ...
/// ```
///
/// The daemon moves it into `outbox/<run>/accepted/`, checks the code as `atomforge accept` does, and writes what
/// came of it beside it (`<file>.result.txt`). Nothing is deleted.
public struct AcceptFile: Sendable, Equatable, Decodable {
    public var run: String
    public var atom: String
    public var code: String

    /// Whether an inbox file is an accept file rather than a plan: by its name alone, so a plan is never mistaken
    /// for one.
    public static func matches(_ name: String) -> Bool {
        [".accept.yaml", ".accept.yml", ".accept.json"].contains { name.hasSuffix($0) }
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case run, atom, code
    }

    public init(run: String, atom: String, code: String) {
        self.run = run
        self.atom = atom
        self.code = code
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        run = try container.decode(String.self, forKey: .run)
        atom = try container.decode(String.self, forKey: .atom)
        code = try container.decode(String.self, forKey: .code)
    }

    /// Reads and checks the file: every problem is one a person can fix in it.
    public static func read(_ path: String) -> Result<AcceptFile, AcceptFileError> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(AcceptFileError("cannot read the file"))
        }
        return read(contents: Array(data))
    }

    /// Checks the file's bytes, already read (the inbox reads them itself, never following a link).
    public static func read(contents bytes: [UInt8]) -> Result<AcceptFile, AcceptFileError> {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return .failure(AcceptFileError("not UTF-8 text"))
        }
        let file: AcceptFile
        do {
            file = try YAMLDecoder().decode(AcceptFile.self, from: text)
        } catch {
            return .failure(AcceptFileError("\(error)"))
        }
        // A run name is a folder of the outbox: one path component, nothing that climbs out of it.
        if file.run.isEmpty || file.run.contains("/") || file.run.hasPrefix(".") || file.run.hasPrefix("_") {
            return .failure(
                AcceptFileError("run: '\(file.run)' is not a run folder's name (e.g. textkit, or textkit-2)"))
        }
        if file.code.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .failure(AcceptFileError("code: is empty; it must hold the atom's code"))
        }
        return .success(file)
    }
}

public struct AcceptFileError: Error, Sendable, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
