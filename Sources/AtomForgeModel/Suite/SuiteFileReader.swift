import AtomForgeSystem
import Foundation

/// Reads the suite files a plan names by path, relative to the plan file's folder: each must be a readable UTF-8 file
/// inside that folder once links are resolved (a link out of it is refused like `..`), and no larger than a test
/// file gets.
public enum SuiteFileReader {
    /// The most bytes one suite file may have.
    public static let maximumSize = 1 << 20

    /// `plan` with the text of each suite file named by path read from `base`, and what could not be read.
    public static func resolve(_ plan: Plan, base: String?) -> (plan: Plan, problems: [PlanDiagnostic]) {
        var plan = plan
        var problems: [PlanDiagnostic] = []
        for index in plan.suite.indices {
            guard let path = plan.suite[index].path else { continue }
            let location = plan.suite[index].location
            guard let base else {
                problems.append(
                    .error(
                        "suite file '\(path)' is named by path, which needs the plan file's folder: check or run the "
                            + "plan by its path, or give the file's text under 'code' (as a plan dropped in the inbox "
                            + "must)", at: location))
                continue
            }
            switch read(path, base: base) {
            case .success(let text): plan.suite[index].code = text
            case .failure(let problem): problems.append(.error("suite file '\(path)' \(problem.reason)", at: location))
            }
        }
        return (plan, problems)
    }

    /// Why a suite file could not be read.
    public struct Problem: Error {
        public var reason: String
    }

    /// The text of `path` under `base`.
    public static func read(_ path: String, base: String) -> Result<String, Problem> {
        let full = (base as NSString).appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: full) else {
            return .failure(Problem(reason: "does not exist (paths are relative to the plan file's folder, \(base))"))
        }
        // realpath(3): every link on the way resolved, as the kernel will when the file is read.
        guard let root = ResolvedPath.of(base), let resolved = ResolvedPath.of(full),
            resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/")
        else {
            return .failure(Problem(reason: "leads out of the plan file's folder (through a link); copy it in"))
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved),
            attributes[.type] as? FileAttributeType == .typeRegular
        else { return .failure(Problem(reason: "is not a regular file")) }
        if let size = attributes[.size] as? Int, size > maximumSize {
            return .failure(Problem(reason: "is larger than \(maximumSize / 1024) KiB; no test file is that big"))
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            return .failure(Problem(reason: "cannot be read (check its permissions)"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(Problem(reason: "is not UTF-8 text"))
        }
        return .success(text)
    }
}
