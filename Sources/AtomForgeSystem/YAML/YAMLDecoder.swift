/// Decodes `Decodable` types from a ``YAMLNode`` tree, with errors that name the key path and its line:column.
///
/// The readings are the tree's own (``YAMLNode/bool``, ``YAMLNode/int``, …), so a quoted `"8"` is text and never
/// a number, and `yes` is never `true`. Types that must refuse unknown keys (a typo must not pass silently) call
/// ``Swift/Decoder/rejectUnknownKeys(_:)`` at the start of their `init(from:)`.
public struct YAMLDecoder: Sendable {

    public init() {}

    /// Decodes `type` from `node`; every failure becomes a ``YAMLError`` located where it was found.
    public func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode) throws(YAMLError) -> T {
        do {
            return try T(from: NodeDecoder(node: node, codingPath: []))
        } catch let error as YAMLError {
            throw error
        } catch let error as DecodingError {
            throw Self.describe(error, in: node)
        } catch {
            throw YAMLError("\(error)")
        }
    }

    /// Decodes `type` from `node`, going on past the problems it can (see ``DecodingProblems``): the value (with
    /// defaults where a value did not decode; nil when even that failed) and every problem, in the order met, each
    /// located where it was found.
    public func decodeReportingAll<T: Decodable>(_ type: T.Type, from node: YAMLNode) -> (
        value: T?, errors: [YAMLError]
    ) {
        let problems = DecodingProblems()
        let result = DecodingProblems.$current.withValue(problems) {
            Result { () throws(YAMLError) -> T in try decode(type, from: node) }
        }
        var errors = problems.recorded.map { Self.describe($0, in: node) }
        if case .failure(let error) = result { errors.append(error) }
        return (try? result.get(), errors)
    }

    static func describe(_ error: any Error, in node: YAMLNode) -> YAMLError {
        switch error {
        case let error as YAMLError: error
        case let error as DecodingError: describe(error, in: node)
        default: YAMLError("\(error)")
        }
    }

    /// Parses `text` and decodes `type` from it; an empty document decodes as an empty mapping.
    public func decode<T: Decodable>(_ type: T.Type, from text: String) throws(YAMLError) -> T {
        let node = try YAMLLoader.load(text) ?? YAMLNode(.mapping([]), at: SourceLocation(line: 1, column: 1))
        return try decode(type, from: node)
    }

    static func describe(_ error: DecodingError, in root: YAMLNode) -> YAMLError {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let found = root.located(at: context.codingPath)
            return YAMLError("\(path(context.codingPath)): \(context.debugDescription)", at: found?.location)
        case .dataCorrupted(let context):
            // Thrown by the types themselves, whose messages already say which key they are about.
            return YAMLError(context.debugDescription, at: root.located(at: context.codingPath)?.location)
        case .keyNotFound(let key, let context):
            let parent = root.located(at: context.codingPath)
            let owner = context.codingPath.isEmpty ? "the file" : "'\(path(context.codingPath))'"
            return YAMLError("\(owner) is missing the required key '\(key.stringValue)'", at: parent?.location)
        @unknown default:
            return YAMLError("\(error)")
        }
    }

    /// `provider.max_tokens` or `atoms[2].id`, the way a person would point at a value.
    package static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "the file" : text
    }
}

extension YAMLNode {
    /// The node at `codingPath`, or the deepest one on the way that exists.
    package func located(at codingPath: [any CodingKey]) -> YAMLNode? {
        var node = self
        for key in codingPath {
            if let index = key.intValue, let items = node.sequence, items.indices.contains(index) {
                node = items[index]
            } else if let pair = node.mapping?.first(where: { $0.key == key.stringValue }) {
                node = pair.value
            } else {
                break
            }
        }
        return node
    }
}

/// A coding key for any text or index, for paths and for listing a mapping's keys.
package struct AnyCodingKey: CodingKey, Sendable {
    package var stringValue: String
    package var intValue: Int?

    package init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    package init(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

extension Decoder {
    /// Throws when the mapping being decoded has a key that `Keys` does not list, naming the key and the keys
    /// allowed, so that `max_worker: 8` is caught instead of silently ignored.
    public func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        let container = try container(keyedBy: AnyCodingKey.self)
        let allowed = Keys.allCases.map(\.stringValue)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            let where_ = codingPath.isEmpty ? "at the top level" : "in '\(YAMLDecoder.path(codingPath))'"
            var message = "unknown key '\(key.stringValue)' \(where_); allowed: \(allowed.joined(separator: ", "))"
            if let close = allowed.first(where: { $0.isCloseSpelling(of: key.stringValue) }) {
                message += " (did you mean '\(close)'?)"
            }
            let error = DecodingError.dataCorrupted(
                .init(codingPath: codingPath + [key], debugDescription: message))
            guard let problems = DecodingProblems.current else { throw error }
            problems.record(error)
        }
    }
}
/// The `Decoder` over one node.
private struct NodeDecoder: Decoder {
    let node: YAMLNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let pairs = node.mapping else {
            if node.isNull { return KeyedDecodingContainer(MappingContainer(pairs: [], codingPath: codingPath)) }
            throw mismatch(Dictionary<String, Any>.self, expected: "a mapping of keys to values")
        }
        return KeyedDecodingContainer(MappingContainer(pairs: pairs, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let items = node.sequence else {
            if node.isNull { return SequenceContainer(items: [], codingPath: codingPath) }
            throw mismatch([Any].self, expected: "a list")
        }
        return SequenceContainer(items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        ScalarContainer(node: node, codingPath: codingPath)
    }

    func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        .typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(node.kindDescription)")
        )
    }
}

private struct MappingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let pairs: [YAMLPair]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { pairs.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool { pairs.contains { $0.key == key.stringValue } }

    private func node(for key: Key) throws -> YAMLNode {
        guard let pair = pairs.first(where: { $0.key == key.stringValue }) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return pair.value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try node(for: key).isNull }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T(from: NodeDecoder(node: node(for: key), codingPath: codingPath + [key]))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(node: node(for: key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(node: node(for: key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        NodeDecoder(node: YAMLNode(.mapping(pairs), at: SourceLocation(line: 1, column: 1)), codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try NodeDecoder(node: node(for: key), codingPath: codingPath + [key])
    }
}

private struct SequenceContainer: UnkeyedDecodingContainer {
    let items: [YAMLNode]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(items: [YAMLNode], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, .init(codingPath: codingPath, debugDescription: "the list has no more items"))
        }
        defer { currentIndex += 1 }
        return NodeDecoder(node: items[currentIndex], codingPath: codingPath + [AnyCodingKey(intValue: currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct ScalarContainer: SingleValueDecodingContainer {
    let node: YAMLNode
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { node.isNull }

    private func read<T>(_ reading: T?, _ expected: String) throws -> T {
        if let reading { return reading }
        var found = node.kindDescription
        if node.scalar?.style == .text, node.scalar.map({ Double($0.value) != nil || $0.value == "true" }) == true {
            found += " (quoted, so it is text)"
        }
        throw DecodingError.typeMismatch(
            T.self, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(found)"))
    }

    func decode(_ type: Bool.Type) throws -> Bool { try read(node.bool, "true or false") }
    func decode(_ type: String.Type) throws -> String { try read(node.text, "text") }
    func decode(_ type: Double.Type) throws -> Double { try read(node.double, "a number") }
    func decode(_ type: Float.Type) throws -> Float { try read(node.double.map(Float.init), "a number") }
    func decode(_ type: Int.Type) throws -> Int { try read(node.int, "a whole number") }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try read(node.int.flatMap { T(exactly: $0) }, "a whole number from \(T.min) to \(T.max)")
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: NodeDecoder(node: node, codingPath: codingPath))
    }
}
