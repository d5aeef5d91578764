import CLibYAML

/// Reads one YAML (or JSON) document into a ``YAMLNode`` tree with libyaml's event parser.
///
/// This is the only file that touches libyaml. It works from events rather than libyaml's document API so that
/// it can refuse, with a location, what the document API accepts silently: duplicate keys, aliases that refer to
/// the node containing them (a cycle), and alias expansion beyond ``Limits`` (a "billion laughs" file). A hostile
/// plan dropped into the inbox must never crash or stall the daemon.
public enum YAMLLoader {
    /// Bounds that keep a hostile document from exhausting memory or the stack.
    public struct Limits: Sendable {
        /// Deepest nesting of lists and mappings, aliases included.
        public var maxDepth: Int
        /// Most nodes the document may expand to once every alias is replaced by what it names.
        public var maxNodes: Int

        public init(maxDepth: Int = 100, maxNodes: Int = 200_000) {
            self.maxDepth = maxDepth
            self.maxNodes = maxNodes
        }
    }

    /// Parses `text`; returns nil when it holds no document at all (an empty file, or only comments).
    public static func load(_ text: String, limits: Limits = Limits()) throws(YAMLError) -> YAMLNode? {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var builder = TreeBuilder(limits: limits)
        let result: Result<YAMLNode?, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return .failure(YAMLError("could not start the YAML parser (out of memory?)"))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .failure(parserError(parser))
                }
                defer { yaml_event_delete(&event) }
                // Kept as a plain `Result` rather than a `return` inside `do throws(YAMLError)`, which the 6.3
                // optimizer has been seen to miscompile.
                let step = Result { () throws(YAMLError) -> Bool in try builder.consume(event) }
                switch step {
                case .success(true): return .success(builder.root)
                case .success(false): continue
                case .failure(let error): return .failure(error)
                }
            }
        }
        return try result.get()
    }

    private static func parserError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message = "\(problem) (\(context) at \(location(parser.context_mark)))"
        }
        return YAMLError(message, at: location(parser.problem_mark))
    }

    fileprivate static func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

/// Turns the event stream into a tree, one open collection per stack frame.
private struct TreeBuilder {
    private struct Frame {
        var location: SourceLocation
        var anchor: String?
        var nodesAtStart: Int
        var height = 0
        var items: [YAMLNode] = []
        var isMapping: Bool
        var pairs: [YAMLPair] = []
        var pendingKey: (text: String, location: SourceLocation)?
        var keysSeen: [String: SourceLocation] = [:]
    }

    /// What an anchor names, with what it costs to copy it again.
    private struct Anchored {
        var node: YAMLNode
        var nodes: Int
        var height: Int
    }

    let limits: YAMLLoader.Limits
    private(set) var root: YAMLNode?
    private var stack: [Frame] = []
    private var anchors: [String: Anchored] = [:]
    private var openAnchors: Set<String> = []
    private var expandedNodes = 0
    private var documents = 0

    init(limits: YAMLLoader.Limits) {
        self.limits = limits
    }

    /// Takes one event; returns true when the stream has ended.
    mutating func consume(_ event: yaml_event_t) throws(YAMLError) -> Bool {
        let location = YAMLLoader.location(event.start_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError("expected one YAML document, found a second one ('---')", at: location)
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let value = string(data.value, count: data.length)
            let tag = data.tag.map { String(cString: $0) }
            let isText =
                data.style != YAML_PLAIN_SCALAR_STYLE || tag == "tag:yaml.org,2002:str" || tag == "!!str"
            try countNodes(1, at: location)
            let node = YAMLNode(.scalar(YAMLScalar(value, style: isText ? .text : .plain)), at: location)
            try complete(node, anchor: data.anchor.map { String(cString: $0) }, nodes: 1, height: 0)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchorPointer = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let anchor = anchorPointer.map { String(cString: $0) }
            if stack.count >= limits.maxDepth {
                throw YAMLError("the document nests deeper than \(limits.maxDepth) levels", at: location)
            }
            try countNodes(1, at: location)
            if let anchor { openAnchors.insert(anchor) }
            stack.append(Frame(location: location, anchor: anchor, nodesAtStart: expandedNodes, isMapping: isMapping))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            if let anchor = frame.anchor { openAnchors.remove(anchor) }
            let kind: YAMLNode.Kind = frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items)
            try complete(
                YAMLNode(kind, at: frame.location), anchor: frame.anchor,
                nodes: expandedNodes - frame.nodesAtStart + 1, height: frame.height + 1)
        case YAML_ALIAS_EVENT:
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            if openAnchors.contains(name) {
                throw YAMLError("alias '*\(name)' refers to the node that contains it (a cycle)", at: location)
            }
            guard let anchored = anchors[name] else {
                throw YAMLError("alias '*\(name)' names no anchor '&\(name)' defined before it", at: location)
            }
            if stack.count + anchored.height > limits.maxDepth {
                throw YAMLError(
                    "alias '*\(name)' nests the document deeper than \(limits.maxDepth) levels", at: location)
            }
            try countNodes(anchored.nodes, at: location)
            var copy = anchored.node
            copy.location = location
            try complete(copy, anchor: nil, nodes: anchored.nodes, height: anchored.height)
        default:
            break
        }
        return false
    }

    private mutating func countNodes(_ count: Int, at location: SourceLocation) throws(YAMLError) {
        expandedNodes += count
        if expandedNodes > limits.maxNodes {
            throw YAMLError(
                "the document expands to more than \(limits.maxNodes) nodes through its aliases; "
                    + "refusing it (is it a 'billion laughs' file?)", at: location)
        }
    }

    /// Hands a finished node to the collection that holds it, or makes it the root.
    private mutating func complete(_ node: YAMLNode, anchor: String?, nodes: Int, height: Int) throws(YAMLError) {
        if let anchor { anchors[anchor] = Anchored(node: node, nodes: nodes, height: height) }
        guard var parent = stack.popLast() else {
            root = node
            return
        }
        defer { stack.append(parent) }
        parent.height = max(parent.height, height)
        guard parent.isMapping else {
            parent.items.append(node)
            return
        }
        guard let key = parent.pendingKey else {
            guard let text = node.scalar?.value else {
                throw YAMLError("a mapping key must be plain text, found \(node.kindDescription)", at: node.location)
            }
            if let first = parent.keysSeen[text] {
                throw YAMLError("duplicate key '\(text)' (first defined at \(first))", at: node.location)
            }
            parent.keysSeen[text] = node.location
            parent.pendingKey = (text, node.location)
            return
        }
        parent.pairs.append(YAMLPair(key: key.text, keyLocation: key.location, value: node))
        parent.pendingKey = nil
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, count: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
