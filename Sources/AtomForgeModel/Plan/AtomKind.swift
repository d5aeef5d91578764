/// What an atom is in its file: a free unit, a type whose methods are atoms of their own, or one such method.
///
/// A planner that breaks software into atoms breaks classes into methods; the kind decides how the atom is asked
/// for (a type: its header, fields and constructor only; a method: the one method, with its class shown), where it
/// is validated (a method inside its class) and where it lands in `src/` (a method in its class's body).
public enum AtomKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A function, constant or type that stands on its own (everything before methods existed).
    case function
    /// A class, struct or other type that methods name as their `parent`.
    case type = "class"
    /// A method of the type its `parent` names.
    case method

    /// The kind a plan's `kind` text names; the type's other spellings (`struct`, `enum`, `actor`, `type`) are one
    /// kind here, since AtomForge treats them alike.
    public init?(planWord: String) {
        switch planWord.lowercased() {
        case "function", "func", "free": self = .function
        case "class", "struct", "type", "enum", "actor", "object": self = .type
        case "method": self = .method
        default: return nil
        }
    }
}
