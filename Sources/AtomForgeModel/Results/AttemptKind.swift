/// What made an attempt's code, as reports, the journal and events name it.
public enum AttemptKind: String, Sendable, Codable, Equatable {
    /// An independent sample from the original prompt.
    case sample
    /// The previous code and what failed in it, sent back to the model.
    case repair
    /// A repair sent to the `escalation` provider (a stronger model).
    case escalate
    /// A person's code, through `atomforge accept`: no model call.
    case person
    /// Code the plan itself provides (an atom's `code`): validated like the model's, no model call.
    case plan
}
