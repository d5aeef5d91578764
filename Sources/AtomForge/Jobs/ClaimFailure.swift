import AtomForgeModel
import AtomForgeSystem

/// Why a plan could not be taken to a run folder: the plan itself, or the folder.
public enum ClaimFailure: Error, Sendable, CustomStringConvertible {
    /// The plan is not valid: its check, with every problem in it.
    case invalid(PlanCheck, file: String)
    /// The run folder could not be had: another process runs it (``OutboxError/isBusy``), or it cannot be written.
    case folder(OutboxError)

    /// True when another process runs the plan: nothing is wrong, and trying later will do.
    public var isBusy: Bool {
        if case .folder(let error) = self { error.isBusy } else { false }
    }

    /// Every problem, one line each, as a person reads them: `file:line:column: error: …` for a plan.
    public var problems: [String] {
        switch self {
        case .invalid(let check, let file): check.diagnostics.map { $0.described(in: file) }
        case .folder(let error): [error.description]
        }
    }

    public var description: String {
        switch self {
        case .invalid(let check, let file):
            "the plan in \(file) is not valid: \(check.errors.first.map { "\($0)" } ?? "unreadable")"
        case .folder(let error): error.description
        }
    }
}
