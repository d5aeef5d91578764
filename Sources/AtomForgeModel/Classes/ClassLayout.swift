import AtomForgeSystem
import Foundation

/// How a class and its members look in a language's text: where a class's body is, which lines are one member,
/// how a method is indented into the body, and what stands in for a method that is not there.
///
/// This works on text, not on a syntax tree: the code it reads is the model's, often incomplete, and each language
/// would need its own parser in the sandbox. The rules are the ones the languages' own layouts make reliable —
/// Python's indentation; for Swift, JavaScript and TypeScript the braces outside strings and comments — and the
/// syntax check and the tests judge the result, so a misreading costs an attempt, never a wrong pass.
public struct ClassLayout: Sendable {
    enum Family: Sendable {
        /// A body is the lines indented under `class Name:`.
        case indentation
        /// A body is between the braces after `class Name`; `swift` also reads `struct`, `enum`, `actor` and
        /// `extension` headers.
        case braces(swift: Bool)
    }

    let family: Family
    public let language: Language

    /// The layout of `language`'s classes; nil for a language without one here.
    public init?(_ language: Language) {
        switch language.name {
        case "python": family = .indentation
        case "swift": family = .braces(swift: true)
        case "javascript", "typescript": family = .braces(swift: false)
        default: return nil
        }
        self.language = language
    }

    /// The name a constructor has: every other method of its class is validated with it.
    public var constructorName: String {
        switch family {
        case .indentation: "__init__"
        case .braces(swift: true): "init"
        case .braces(swift: false): "constructor"
        }
    }

    /// Whether methods go into the type's body (Python, JavaScript) or each into an extension of its own after it
    /// (Swift: the type's declaration stays exactly as validated, each method type-checks with the type in scope,
    /// and a method that failed is simply absent instead of a stub whose signature could break the file).
    public var methodsInExtensions: Bool {
        if case .braces(swift: true) = family { return true }
        return false
    }

    static let indentUnit = "    "

    // MARK: Reading members

    /// A member of a scope: its name and its lines (0-based, `end` exclusive), doc comments and decorators included.
    struct Member: Equatable {
        var name: String
        var start: Int
        var end: Int
    }

    /// A class (or Swift extension) named `name` in `lines`: its header line, the lines of its body, and where its
    /// closing brace is (brace languages).
    struct ClassSpan {
        var header: Int
        var bodyStart: Int
        /// The line after the body (Python) or the line of the closing brace (brace languages).
        var bodyEnd: Int
    }

    /// The members declared directly in `code` (at its top level), by name.
    public func memberNames(in code: String) -> [String] {
        let lines = Self.lines(code)
        return members(in: lines, from: 0, to: lines.count, depth: 0, indent: leastIndent(lines)).map(\.name)
    }

    /// The member `name` out of a reply (every member of that name: a getter and its setter): from the class
    /// `className` and its extensions when the reply repeats the class, else from the reply's top level; dedented. A JavaScript `function name(…)` becomes the
    /// method form `name(…)`. Nil when the reply has no member of that name.
    public func method(named name: String, in code: String, className: String) -> String? {
        let lines = Self.lines(code)
        // The type and every extension of it: a reply may copy the type with the method in an extension after it.
        var found = classSpans(named: className, in: lines).flatMap { bodyMembers(of: $0, in: lines) }
            .filter { $0.name == name }
        if found.isEmpty {
            found = members(in: lines, from: 0, to: lines.count, depth: 0, indent: leastIndent(lines))
                .filter { $0.name == name }
        }
        guard !found.isEmpty else { return nil }
        // Every member of the name, in order: a property's getter and setter, an overload.
        let parts = found.map { member -> String in
            let method = Self.dedented(Array(lines[member.start..<member.end]))
            if case .braces(swift: false) = family { return Self.trimmedLines(Self.scriptMethodForm(method)) }
            return Self.trimmedLines(method)
        }
        return parts.joined(separator: "\n\n")
    }

    /// A JavaScript function written as a free function (`function push(item) {`) or an object literal's property
    /// (`push: function (item) {`, `push: (item) => {`, with its trailing comma) in the method form a class body
    /// takes: `push(item) {`.
    static func scriptMethodForm(_ code: String) -> String {
        var lines = Self.lines(code)
        guard let first = lines.indices.first(where: { !lines[$0].trimmingWhitespace().isEmpty }) else { return code }
        var line = lines[first]
        if let match = line.prefixMatch(of: /(export\s+)?(default\s+)?(async\s+)?function\s*(\*?)\s*/) {
            line = "\(match.output.3 ?? "")\(match.output.4)" + line[match.range.upperBound...]
        } else if let match = line.prefixMatch(
            of: /([A-Za-z_$][\w$]*)\s*:\s*(async\s+)?(?:function\s*(\*?)\s*\(([^)]*)\)|\(([^)]*)\)\s*=>)\s*\{/)
        {
            let parameters = match.output.4 ?? match.output.5 ?? ""
            line =
                "\(match.output.2 ?? "")\(match.output.3 ?? "")\(match.output.1)(\(parameters)) {"
                + line[match.range.upperBound...]
            if let last = lines.lastIndex(where: { !$0.trimmingWhitespace().isEmpty }), last != first,
                lines[last].trimmingWhitespace() == "},"
            {
                lines[last] = String(lines[last].dropLast())
            }
        } else {
            return code
        }
        lines[first] = line
        return lines.joined(separator: "\n")
    }

    /// The class code with the members named in `names` taken out: a model asked for a class's header, fields and
    /// constructor often writes the methods too, which are atoms of their own.
    public func removingMembers(named names: Set<String>, from code: String, className: String) -> String {
        let lines = Self.lines(code)
        guard !names.isEmpty, let span = classSpan(named: className, in: lines) else { return code }
        let dropped = classSpans(named: className, in: lines).flatMap { bodyMembers(of: $0, in: lines) }
            .filter { names.contains($0.name) }
        guard !dropped.isEmpty else { return code }
        var keep = Array(repeating: true, count: lines.count)
        for member in dropped { for line in member.start..<member.end { keep[line] = false } }
        var kept = lines.indices.filter { keep[$0] }.map { lines[$0] }
        if case .indentation = family, !Self.hasStatement(in: kept, after: span.header) {
            // A body left empty would not parse.
            kept.insert(bodyIndent(span, in: lines) + "pass", at: span.header + 1)
        }
        return Self.trimmedLines(Self.collapsingBlankRuns(kept).joined(separator: "\n"))
    }

    /// A cut-off class reply made whole, when it was cut inside a method that is an atom of its own: that method
    /// and the other planned ones taken out (and for a brace language the class closed), the class's own code is
    /// complete. Nil when the cut fell in the class's own code.
    public func salvaging(_ code: String, removing names: Set<String>, className: String) -> String? {
        let lines = Self.lines(code)
        guard let last = lines.lastIndex(where: { !$0.trimmingWhitespace().isEmpty }),
            let span = classSpan(named: className, in: lines),
            bodyMembers(of: span, in: lines).contains(where: {
                names.contains($0.name) && $0.start <= last && last < $0.end
            })
        else { return nil }
        var kept = removingMembers(named: names, from: code, className: className)
        if case .braces(let swift) = family {
            let depth = Self.braceDepths(Self.lines(kept), swift: swift).last?.end ?? 0
            if depth > 0 { kept += String(repeating: "\n}", count: depth) }
        }
        return kept
    }

    /// A method without its body, for a prompt that shows what a class has: its doc comments and decorators, its
    /// signature up to where the body starts, and a Python docstring's first line.
    public func signature(of method: String) -> String {
        let lines = Self.lines(method).filter { !$0.trimmingWhitespace().isEmpty }
        var shown: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            let trimmed = line.trimmingWhitespace()
            if case .indentation = family {
                shown.append(line)
                if !trimmed.hasPrefix("@"), !trimmed.hasPrefix("#"), trimmed.hasSuffix(":") { break }
            } else if let brace = line.firstIndex(of: "{"), !trimmed.hasPrefix("//"), !trimmed.hasPrefix("*") {
                shown.append(String(line[..<brace]).trimmingWhitespace() + " { … }")
                return shown.joined(separator: "\n")
            } else {
                shown.append(line)
            }
        }
        if case .indentation = family {
            let bodyIndent = index < lines.count ? Self.indentation(of: lines[index]) : ""
            let indent = bodyIndent.isEmpty ? Self.indentUnit : bodyIndent
            if index < lines.count {
                let next = lines[index].trimmingWhitespace()
                if let quote = ["\"\"\"", "\'\'\'"].first(where: { next.hasPrefix($0) }) {
                    let text = next.dropFirst(3)
                    let first = text.range(of: quote).map { String(text[..<$0.lowerBound]) } ?? String(text)
                    shown.append(indent + quote + first.trimmingWhitespace() + quote)
                }
            }
            shown.append(indent + "...")
        }
        return shown.joined(separator: "\n")
    }

    // MARK: Writing a class with its methods

    /// A method placed in a class: its code (nil for one that is not there) and what its stub says when it is not.
    public struct Placement: Sendable {
        public var name: String
        public var code: String?
        /// The comment and message of the stub that stands in for a missing method.
        public var stubNote: String
        /// Whether the stub carries its note as a comment too (in `src/`, for a person reading the file), not
        /// only in what it raises.
        public var commentsStub: Bool
        /// Whether a method without code is left out instead of stubbed (a class another atom depends on).
        public var omitsMissing: Bool

        public init(
            name: String, code: String?, stubNote: String, commentsStub: Bool = true, omitsMissing: Bool = false
        ) {
            self.name = name
            self.code = code
            self.stubNote = stubNote
            self.commentsStub = commentsStub
            self.omitsMissing = omitsMissing
        }
    }

    /// A class with its methods placed (``placing(_:in:className:)``).
    public struct Placed: Sendable {
        /// The class's code with the methods in it, their import lines taken out.
        public var text: String
        /// Each placed method's lines in ``text`` (1-based start, exclusive end).
        public var lines: [String: Range<Int>]
        /// The import lines the placed methods started with, each once: inside a class body they would not be in
        /// the methods' scope, so they go to the top of whatever holds the class.
        public var imports: [String]
        /// How many lines each method's code had before its first placed line (its imports and the blank after
        /// them), so that a place in it can be told as a line of the code as written.
        public var importLines: [String: Int]

        /// The text with the imports in front, and the methods' lines shifted to match.
        public var withImportsInFront: (text: String, lines: [String: Range<Int>]) {
            guard !imports.isEmpty else { return (text, lines) }
            let shift = imports.count + 1
            return (
                imports.joined(separator: "\n") + "\n\n" + text,
                lines.mapValues { ($0.lowerBound + shift)..<($0.upperBound + shift) }
            )
        }
    }

    /// The class `className` with `methods` in place, in their order: code re-indented into its body (Python,
    /// JavaScript) or in an extension each (Swift); a missing method as a stub that raises with its note (Python,
    /// JavaScript) or a comment (Swift). The methods' import lines are taken out and returned apart.
    public func placing(_ methods: [Placement], in classCode: String, className: String) -> Placed {
        var lines = Self.lines(classCode)
        while lines.last?.trimmingWhitespace().isEmpty == true { lines.removeLast() }
        lines = openingOneLineBody(of: className, in: lines)
        let span = classSpan(named: className, in: lines)
        let unit =
            span.map { span in
                String(bodyIndent(span, in: lines).dropFirst(Self.indentation(of: lines[span.header]).count))
            } ?? Self.indentUnit
        struct Block {
            var name: String
            var lines: [String]
            var isCode: Bool
            /// In the type's body even in Swift: what an extension may not hold.
            var inBody: Bool
        }
        var blocks: [Block] = []
        var imports: [String] = []
        var importLines: [String: Int] = [:]
        for method in methods {
            if let code = method.code {
                let (hoisted, body) = language.splitImports(code)
                imports += hoisted.filter { !imports.contains($0) }
                let lines = Self.lines(body)
                importLines[method.name] = Self.lines(code).count - lines.count
                blocks.append(Block(name: method.name, lines: lines, isCode: true, inBody: needsTypeBody(lines)))
            } else {
                guard !method.omitsMissing else { continue }
                var lines = stub(named: method.name, note: method.stubNote, unit: unit)
                if !method.commentsStub, lines.count > 1 { lines.remove(at: 1) }
                blocks.append(Block(name: method.name, lines: lines, isCode: false, inBody: false))
            }
        }
        var output = lines
        var ranges: [String: Range<Int>] = [:]
        // Into the body first (its lines come before the extensions after the code).
        let intoBody = blocks.filter { span != nil && (!methodsInExtensions || $0.inBody) }
        if let span, !intoBody.isEmpty {
            var insertAt = span.bodyEnd
            if case .indentation = family {
                while insertAt > span.bodyStart, lines[insertAt - 1].trimmingWhitespace().isEmpty { insertAt -= 1 }
            }
            let indent = bodyIndent(span, in: lines)
            // Right after an opening brace no blank line is needed.
            let afterOpening = insertAt > 0 && lines[insertAt - 1].trimmingWhitespace().hasSuffix("{")
            var inserted: [String] = []
            for block in intoBody {
                if !(inserted.isEmpty && afterOpening) { inserted.append("") }
                let first = insertAt + inserted.count + 1
                inserted += block.lines.map { $0.isEmpty ? $0 : indent + $0 }
                if block.isCode { ranges[block.name] = first..<(insertAt + inserted.count + 1) }
            }
            output.insert(contentsOf: inserted, at: insertAt)
        }
        // After the code: Swift's extensions, or everything when the layout cannot find the class.
        let indent = methodsInExtensions ? Self.indentUnit : ""
        for block in blocks where !(span != nil && (!methodsInExtensions || block.inBody)) {
            output.append("")
            if methodsInExtensions {
                guard block.isCode else {
                    output += block.lines
                    continue
                }
                output.append("extension \(className) {")
            }
            let first = output.count + 1
            output += block.lines.map { $0.isEmpty ? $0 : indent + $0 }
            if block.isCode { ranges[block.name] = first..<(output.count + 1) }
            if methodsInExtensions { output.append("}") }
        }
        return Placed(text: output.joined(separator: "\n"), lines: ranges, imports: imports, importLines: importLines)
    }

    /// Whether a Swift member must be in its type's body, not in an extension: an initializer (a class's
    /// designated one may not be in an extension, and a struct's in its body keeps the memberwise one's place), a
    /// deinitializer, an override or a required member.
    private func needsTypeBody(_ lines: [String]) -> Bool {
        guard methodsInExtensions,
            let declaration = lines.first(where: {
                let trimmed = $0.trimmingWhitespace()
                return !trimmed.isEmpty && !trimmed.hasPrefix("//") && !trimmed.hasPrefix("@")
                    && !trimmed.hasPrefix("*")
                    && !trimmed.hasPrefix("/*")
            })
        else { return false }
        let words = declaration.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == "<" || $0 == "?" || $0 == "!" })
        return words.contains { ["init", "deinit", "override", "required"].contains(String($0)) }
    }

    /// The lines with a class whose body is on its header line (`class A {}`, `class E(Exception): pass`) opened
    /// onto lines of its own, so that members can be placed inside it.
    private func openingOneLineBody(of className: String, in lines: [String]) -> [String] {
        guard let span = classSpan(named: className, in: lines) else { return lines }
        var lines = lines
        let header = lines[span.header]
        let indent = Self.indentation(of: header)
        switch family {
        case .indentation:
            guard
                span.bodyStart >= span.bodyEnd
                    || !(lines[span.bodyStart..<span.bodyEnd].contains { !$0.trimmingWhitespace().isEmpty }),
                let match = header.wholeMatch(of: /(\s*class\s+[A-Za-z_]\w*\s*(?:\([^)]*\))?\s*:)(.*)/),
                !String(match.output.2).trimmingWhitespace().isEmpty
            else { return lines }
            let body = String(match.output.2).trimmingWhitespace()
            lines[span.header] = String(match.output.1)
            lines.insert(indent + Self.indentUnit + body, at: span.header + 1)
        case .braces:
            guard span.bodyEnd < span.bodyStart, span.bodyEnd == span.header,
                let close = header.lastIndex(of: "}"), let open = header.firstIndex(of: "{"), open < close
            else { return lines }
            let inside = String(header[header.index(after: open)..<close]).trimmingWhitespace()
            lines[span.header] = String(header[...open])
            var opened = inside.isEmpty ? [] : [indent + Self.indentUnit + inside]
            opened.append(indent + String(header[close...]))
            lines.insert(contentsOf: opened, at: span.header + 1)
        }
        return lines
    }

    /// What stands in for a method that is not there: a definition that raises with `note` (Python, JavaScript),
    /// or for Swift a comment (a stub would need the method's exact signature, and nothing that passed calls it:
    /// what depends on a missing method is blocked).
    func stub(named name: String, note: String, unit: String = indentUnit) -> [String] {
        let message = note.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        switch family {
        case .indentation:
            return [
                "def \(name)(self, *args, **kwargs):", "\(unit)# \(note)",
                "\(unit)raise NotImplementedError(\"\(message)\")",
            ]
        case .braces(swift: false):
            return ["\(name)(...args) {", "\(unit)// \(note)", "\(unit)throw new Error(\"\(message)\");", "}"]
        case .braces(swift: true):
            return ["// \(name): \(note)"]
        }
    }

    // MARK: Text

    package static func lines(_ code: String) -> [String] {
        code.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
    }

    static func indentation(of line: String) -> String {
        String(line.prefix { $0 == " " || $0 == "\t" })
    }

    private func leastIndent(_ lines: [String]) -> String {
        lines.filter { !$0.trimmingWhitespace().isEmpty }.map(Self.indentation).min { $0.count < $1.count } ?? ""
    }

    /// The lines less the indentation they all share.
    package static func dedented(_ lines: [String]) -> String {
        let shared = lines.filter { !$0.trimmingWhitespace().isEmpty }.map(indentation).min { $0.count < $1.count }
        let count = shared?.count ?? 0
        return lines.map { $0.trimmingWhitespace().isEmpty ? "" : String($0.dropFirst(count)) }.joined(separator: "\n")
    }

    package static func trimmedLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).trimmedLines()
    }

    private static func collapsingBlankRuns(_ lines: [String]) -> [String] {
        var out: [String] = []
        var blanks = 0
        for line in lines {
            blanks = line.trimmingWhitespace().isEmpty ? blanks + 1 : 0
            if blanks <= 2 { out.append(line) }
        }
        return out
    }

    private static func hasStatement(in lines: [String], after header: Int) -> Bool {
        let headerIndent = indentation(of: lines[header]).count
        for line in lines.dropFirst(header + 1) where !line.trimmingWhitespace().isEmpty {
            return indentation(of: line).count > headerIndent
        }
        return false
    }

    private func bodyIndent(_ span: ClassSpan, in lines: [String]) -> String {
        let headerIndent = Self.indentation(of: lines[span.header])
        for line in lines[span.bodyStart..<max(span.bodyStart, span.bodyEnd)]
        where !line.trimmingWhitespace().isEmpty {
            let indent = Self.indentation(of: line)
            if indent.count > headerIndent.count { return indent }
        }
        return headerIndent + Self.indentUnit
    }
}
