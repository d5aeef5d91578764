/// A YAML document as a plain Swift tree, with the place each node came from.
///
/// libyaml resolves no types: every scalar is text plus a style. The tree keeps it that way and offers narrow,
/// predictable readings on top: only plain `true`/`false` are booleans (YAML 1.1's `yes`/`no`/`on`/`off` surprise
/// people), and a quoted scalar is always text, never a number or a boolean.
public struct YAMLNode: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    public var location: SourceLocation

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// A scalar's text and how it was written.
public struct YAMLScalar: Sendable, Equatable {
    public enum Style: Sendable, Equatable {
        /// Written bare: may read as a number, a boolean or null.
        case plain
        /// Single- or double-quoted, a block literal (`|`) or folded (`>`), or tagged `!!str`: always text.
        case text
    }

    public var value: String
    public var style: Style

    public init(_ value: String, style: Style) {
        self.value = value
        self.style = style
    }
}

/// One `key: value` entry of a mapping; the key is text, and keeps its own location for error messages.
public struct YAMLPair: Sendable, Equatable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: YAMLNode

    public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}

extension YAMLNode {
    /// The scalar, if this node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = kind { return scalar }
        return nil
    }

    /// The items, if this node is a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The entries in document order, if this node is a mapping.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// The value under `key`, if this node is a mapping that has it.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key == key }?.value
    }

    /// `~`, `null` or nothing at all, written bare.
    public var isNull: Bool {
        guard let scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.value)
    }

    /// Text of any scalar that is not null; numbers written bare read as their text too.
    public var text: String? {
        guard let scalar, !isNull else { return nil }
        return scalar.value
    }

    /// A bare `true` or `false`; nothing else is a boolean.
    public var bool: Bool? {
        guard let scalar, scalar.style == .plain else { return nil }
        switch scalar.value {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// A bare whole number (`42`, `-3`, `1_000`).
    public var int: Int? {
        guard let scalar, scalar.style == .plain else { return nil }
        return Int(scalar.value.filter { $0 != "_" })
    }

    /// A bare number, whole or not (`0.7`, `1e-3`, `2`); not `.inf` or `.nan`, which no setting wants.
    public var double: Double? {
        guard let scalar, scalar.style == .plain,
            let value = Double(scalar.value.filter { $0 != "_" }), value.isFinite
        else { return nil }
        return value
    }

    /// How a person would name what this node is, for messages such as "expected a list, found text".
    public var kindDescription: String {
        switch kind {
        case .scalar(let scalar):
            if isNull { return "nothing (null)" }
            let shown = scalar.value.count > 40 ? String(scalar.value.prefix(37)) + "..." : scalar.value
            return "'\(shown)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
