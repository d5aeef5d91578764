/// What checking a plan found: the plan if it could be read, every problem, and its shape when it is valid.
public struct PlanCheck: Sendable {
    /// The plan as read; nil when the file is too broken to name its atoms.
    public var plan: Plan?
    /// Errors and warnings, in file order.
    public var diagnostics: [PlanDiagnostic]
    /// The dependency levels; empty unless the plan is valid.
    public var levels: [[String]]
    /// The longest chain of dependencies; empty unless the plan is valid.
    public var criticalPath: [String]
    /// The text that was checked, when it could be read: what a run keeps beside its results.
    public var text: String?

    public var errors: [PlanDiagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [PlanDiagnostic] { diagnostics.filter { $0.severity == .warning } }

    /// The plan, when it can run.
    public var validPlan: Plan? { errors.isEmpty ? plan : nil }
}
