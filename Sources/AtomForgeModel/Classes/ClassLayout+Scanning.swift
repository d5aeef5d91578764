import AtomForgeSystem

extension ClassLayout {
    /// The first class or extension `name` at the top level of `lines`.
    func classSpan(named name: String, in lines: [String]) -> ClassSpan? {
        classSpans(named: name, in: lines).first
    }

    /// Every class, struct or extension `name` at the top level of `lines`, in order.
    func classSpans(named name: String, in lines: [String]) -> [ClassSpan] {
        var spans: [ClassSpan] = []
        switch family {
        case .indentation:
            for (index, line) in lines.enumerated() where Self.indentation(of: line).isEmpty {
                guard (try? Self.pythonClassHeader.prefixMatch(in: line))?.output.1 == Substring(name) else { continue }
                var end = index + 1
                while end < lines.count {
                    let trimmed = lines[end].trimmingWhitespace()
                    if !trimmed.isEmpty, !trimmed.hasPrefix("#"), Self.indentation(of: lines[end]).isEmpty { break }
                    end += 1
                }
                spans.append(ClassSpan(header: index, bodyStart: index + 1, bodyEnd: end))
            }
        case .braces(let swift):
            let depths = Self.braceDepths(lines, swift: swift)
            var index = 0
            while index < lines.count {
                defer { index += 1 }
                let header = swift ? Self.swiftTypeHeader : Self.scriptClassHeader
                guard depths[index].start == 0,
                    (try? header.prefixMatch(in: Self.strippingModifiers(lines[index], swift: swift)))?.output.1
                        == Substring(name)
                else { continue }
                // The body opens on the first line that reaches depth 1 and ends on the line that comes back to 0.
                guard let open = (index..<lines.count).first(where: { depths[$0].peak >= 1 }) else { break }
                let close = (open..<lines.count).first { depths[$0].end <= 0 } ?? lines.count
                spans.append(ClassSpan(header: index, bodyStart: open + 1, bodyEnd: close))
                index = max(index, close)
            }
        }
        return spans
    }

    func bodyMembers(of span: ClassSpan, in lines: [String]) -> [Member] {
        switch family {
        case .indentation:
            let indent =
                lines[span.bodyStart..<span.bodyEnd].first { !$0.trimmingWhitespace().isEmpty }
                .map(Self.indentation) ?? Self.indentUnit
            return members(in: lines, from: span.bodyStart, to: span.bodyEnd, depth: 1, indent: indent)
        case .braces:
            return members(in: lines, from: span.bodyStart, to: span.bodyEnd, depth: 1, indent: "")
        }
    }

    /// The members declared in `lines[from..<to]` at brace depth `depth` (brace languages) or at exactly `indent`
    /// (Python).
    func members(in lines: [String], from: Int, to: Int, depth: Int, indent: String) -> [Member] {
        var found: [Member] = []
        switch family {
        case .indentation:
            var index = from
            while index < to {
                let line = lines[index]
                guard Self.indentation(of: line) == indent,
                    let name = (try? Self.pythonDef.prefixMatch(in: line.trimmingWhitespace()))?.output.2
                else {
                    index += 1
                    continue
                }
                var end = index + 1
                while end < to {
                    let trimmed = lines[end].trimmingWhitespace()
                    if !trimmed.isEmpty, !trimmed.hasPrefix("#"), Self.indentation(of: lines[end]).count <= indent.count
                    {
                        break
                    }
                    end += 1
                }
                while end > index + 1, lines[end - 1].trimmingWhitespace().isEmpty { end -= 1 }
                found.append(
                    Member(name: String(name), start: leadingNotes(lines, before: index, floor: from), end: end))
                index = end
            }
        case .braces(let swift):
            let depths = Self.braceDepths(lines, swift: swift)
            var index = from
            while index < to {
                guard depths[index].start == depth,
                    let name = Self.memberName(lines[index], swift: swift, topLevel: depth == 0)
                else {
                    index += 1
                    continue
                }
                var end = index
                while end < to, !(depths[end].peak > depth && depths[end].end <= depth) {
                    // A declaration without a body (a class field, a protocol's requirement, an abstract method)
                    // ends where its line does, unless the line goes on (a signature over several lines).
                    if depths[end].peak == depth, depths[end].end == depth, !Self.continues(lines, after: end) { break }
                    end += 1
                }
                end = min(end + 1, to)
                found.append(Member(name: name, start: leadingNotes(lines, before: index, floor: from), end: end))
                index = end
            }
        }
        return found
    }

    /// The first of the doc comment and attribute lines right above `line`, so that a member keeps them.
    private func leadingNotes(_ lines: [String], before line: Int, floor: Int) -> Int {
        var start = line
        let indent = Self.indentation(of: lines[line])
        while start > floor {
            let above = lines[start - 1]
            let trimmed = above.trimmingWhitespace()
            // `#` starts a comment only in Python: in JavaScript it is a private field, in Swift a directive.
            let isComment: Bool
            switch family {
            case .indentation: isComment = trimmed.hasPrefix("#")
            case .braces: isComment = trimmed.hasPrefix("//") || trimmed.hasPrefix("/*") || trimmed.hasPrefix("*")
            }
            guard Self.indentation(of: above) == indent, trimmed.hasPrefix("@") || isComment else { break }
            start -= 1
        }
        return start
    }

    /// Whether a declaration's line `index` goes on to the next: it ends in an open parenthesis, a comma, an arrow,
    /// an operator, or the next line starts its body, its result or a continuation.
    static func continues(_ lines: [String], after index: Int) -> Bool {
        let line = lines[index].trimmingWhitespace()
        if ["(", ",", "->", "=>", "=", ":", "&", "|", "+"].contains(where: { line.hasSuffix($0) }) { return true }
        guard let next = lines[(index + 1)...].first(where: { !$0.trimmingWhitespace().isEmpty })?.trimmingWhitespace()
        else { return false }
        return ["{", ")", "->", "throws", "rethrows", "async", "where", ".", "=>", "?", ":"].contains {
            next.hasPrefix($0)
        }
    }

    // MARK: Declarations

    static var pythonClassHeader: Regex<(Substring, Substring)> { /class\s+([A-Za-z_]\w*)/ }
    static var pythonDef: Regex<(Substring, Substring?, Substring)> { /(async\s+)?def\s+([A-Za-z_]\w*)\s*\(/ }
    static var swiftTypeHeader: Regex<(Substring, Substring)> {
        /(?:class|struct|enum|actor|extension)\s+([A-Za-z_]\w*)/
    }
    static var scriptClassHeader: Regex<(Substring, Substring)> { /class\s+([A-Za-z_$][\w$]*)/ }

    private static let swiftModifiers: Set<String> = [
        "public", "private", "fileprivate", "internal", "open", "static", "class", "final", "override", "mutating",
        "nonmutating", "convenience", "required", "nonisolated", "dynamic", "indirect", "package", "consuming",
        "borrowing",
    ]
    private static let scriptModifiers: Set<String> = [
        "export", "default", "static", "async", "public", "private", "protected", "readonly", "override", "abstract",
        "get", "set", "declare",
    ]
    private static let scriptKeywords: Set<String> = [
        "if", "for", "while", "switch", "catch", "return", "function", "do", "else", "try", "new", "typeof", "with",
    ]

    /// The line less its leading attributes (`@discardableResult`) and modifiers (`public`, `static`…); Swift's
    /// `class func` keeps its `func`, since `class` there is a modifier only when a declaration follows.
    static func strippingModifiers(_ line: String, swift: Bool) -> Substring {
        var text = Substring(line.trimmingWhitespace())
        let modifiers = swift ? swiftModifiers : scriptModifiers
        while true {
            if swift, text.hasPrefix("@") {
                let attribute = text.prefix { !$0.isWhitespace }
                text = text.dropFirst(attribute.count).drop(while: \.isWhitespace)
                continue
            }
            let word = text.prefix { $0.isLetter }
            guard !word.isEmpty, modifiers.contains(String(word)),
                let after = text.dropFirst(word.count).first, after == " " || after == "\t"
            else { break }
            let rest = text.dropFirst(word.count).drop(while: \.isWhitespace)
            // `class Name` is a declaration, `get(…)` a method called get: only a word followed by another
            // declaration word or name is a modifier.
            if swift, word == "class",
                !(["func", "var", "let", "subscript"] + Array(modifiers)).contains(where: { rest.hasPrefix($0 + " ") })
            {
                break
            }
            if !swift, rest.hasPrefix("(") || rest.hasPrefix("=") { break }
            text = rest
        }
        return text
    }

    /// The name the member declared on `line` has, if it declares one.
    static func memberName(_ line: String, swift: Bool, topLevel: Bool) -> String? {
        let text = strippingModifiers(line, swift: swift)
        if swift {
            if let match = try? /func\s+([^\s(<]+)\s*[(<]/.prefixMatch(in: text) { return String(match.output.1) }
            if (try? /init[?!]?\s*[(<]/.prefixMatch(in: text)) != nil { return "init" }
            if text.hasPrefix("subscript") { return "subscript" }
            // A computed property: `var area: Double { … }` (a stored one has no body, or an `=`).
            if let match = try? /var\s+([A-Za-z_]\w*)\s*:[^={]*\{/.prefixMatch(in: text) {
                return String(match.output.1)
            }
            return nil
        }
        if let match = try? /function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/.prefixMatch(in: text) {
            return String(match.output.1)
        }
        if let match = try?
            /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:function|\(|[A-Za-z_$][\w$]*\s*=>)/
            .prefixMatch(in: text)
        {
            return String(match.output.1)
        }
        // An object literal's property (`push: function (item) {`, `push: (item) => {`), as small models write methods.
        if let match = try? /([A-Za-z_$][\w$]*)\s*:\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>)/.prefixMatch(in: text)
        {
            return String(match.output.1)
        }
        // At the top level a method's form (`push(item) {`) is the dedented method itself, and a call ends with `;`.
        if topLevel, text.hasSuffix(";") || !text.contains("{") { return nil }
        if let match = try? /\*?\s*(#?[A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(/.prefixMatch(in: text),
            !scriptKeywords.contains(String(match.output.1))
        {
            return String(match.output.1)
        }
        if !topLevel,
            let match = try? /(#?[A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:\(|[A-Za-z_$][\w$]*\s*=>)/.prefixMatch(
                in: text)
        {
            return String(match.output.1)
        }
        return nil
    }

    // MARK: Braces

    /// Whether a `/` after `previous` starts a regular expression rather than a division: at the start of a line,
    /// after an operator or an opening bracket, or after `return`/`typeof`.
    static func startsRegex(after previous: Character?, in before: ArraySlice<Character>) -> Bool {
        guard let previous else { return true }
        if "(,=:[!&|?{};+-*%<>~^".contains(previous) { return true }
        let word = String(before.reversed().drop(while: \.isWhitespace).prefix(while: \.isLetter).reversed())
        return ["return", "typeof", "case", "in", "of"].contains(word)
    }

    /// For each line, the brace depth at its start, the highest it reaches on it and the depth at its end, counting
    /// only braces outside strings and comments.
    static func braceDepths(_ lines: [String], swift: Bool) -> [(start: Int, peak: Int, end: Int)] {
        var depth = 0
        var inBlockComment = false
        /// The delimiter of the string the scan is in: `"`, `'`, `` ` `` or `"""`.
        var string: String?
        var result: [(start: Int, peak: Int, end: Int)] = []
        for line in lines {
            let start = depth
            var peak = depth
            let characters = Array(line)
            var index = 0
            /// The last character outside strings and comments that is not a space, for telling a regular
            /// expression from a division.
            var previous: Character?
            while index < characters.count {
                let character = characters[index]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                defer {
                    if !inBlockComment, string == nil, index < characters.count, !characters[index].isWhitespace {
                        previous = characters[index]
                    }
                }
                if inBlockComment {
                    if character == "*", next == "/" {
                        inBlockComment = false
                        index += 1
                    }
                } else if let delimiter = string {
                    if character == "\\" {
                        index += 1
                    } else if delimiter == "\"\"\"" {
                        if character == "\"", index + 2 < characters.count, characters[index + 1] == "\"",
                            characters[index + 2] == "\""
                        {
                            string = nil
                            index += 2
                        }
                    } else if String(character) == delimiter {
                        string = nil
                    }
                } else if !swift, character == "/", next != "/", next != "*",
                    Self.startsRegex(after: previous, in: characters[..<index])
                {
                    // A regular expression literal (`/[{]/`, `/^https?:\/\//`): skipped to its end, classes included.
                    var inClass = false
                    index += 1
                    while index < characters.count {
                        let scanned = characters[index]
                        if scanned == "\\" {
                            index += 1
                        } else if scanned == "[" {
                            inClass = true
                        } else if scanned == "]" {
                            inClass = false
                        } else if scanned == "/", !inClass {
                            break
                        }
                        index += 1
                    }
                } else if character == "/", next == "/" {
                    break
                } else if character == "/", next == "*" {
                    inBlockComment = true
                    index += 1
                } else if character == "\"" {
                    if swift, index + 2 < characters.count, characters[index + 1] == "\"", characters[index + 2] == "\""
                    {
                        string = "\"\"\""
                        index += 2
                    } else {
                        string = "\""
                    }
                } else if !swift, character == "'" || character == "`" {
                    string = String(character)
                } else if character == "{" {
                    depth += 1
                    peak = max(peak, depth)
                } else if character == "}" {
                    depth -= 1
                }
                index += 1
            }
            // A one-line string that is left open ends with its line (an unbalanced quote in a comment-like text).
            if let delimiter = string, delimiter != "\"\"\"", delimiter != "`" { string = nil }
            result.append((start, peak, depth))
        }
        return result
    }
}
