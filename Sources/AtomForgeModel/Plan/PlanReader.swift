import AtomForgeSystem

/// Reads a plan out of a YAML tree, collecting every problem instead of stopping at the first.
///
/// This walks the tree by hand rather than through `Decodable`, which stops at the first error: a person fixing a
/// plan wants the whole list, each problem with its line and column. Both the design's field names and the seed
/// planner's (`context.file_context.file_path`, `context.file_context.imports`, `context.parent_context`) are read,
/// so an upstream planner hooks in unchanged; keys AtomForge does not know are warnings, since planners add their own.
struct PlanReader {
    private(set) var diagnostics: [PlanDiagnostic] = []

    static let planKeys: Set<String> = ["plan", "language", "description", "atoms", "levels", "suite"]
    static let suiteKeys: Set<String> = ["name", "code", "language", "path"]
    static let atomKeys: Set<String> = [
        "id", "name", "description", "file", "language", "imports", "estimated_loc", "complexity", "depends_on",
        "tests", "context", "kind", "parent", "code",
    ]

    /// ` (did you mean 'depends_on'?)` for a key a typo away from one of `keys`; empty otherwise.
    static func guess(_ key: String, in keys: Set<String>) -> String {
        keys.sorted().first { $0.isCloseSpelling(of: key) }.map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// The plan in `root`, or nil when it is too broken to name its atoms; `fallbackID` is used when the file has no
    /// `plan` key (a plan called after its file).
    mutating func read(_ root: YAMLNode, fallbackID: String) -> Plan? {
        guard let pairs = root.mapping else {
            error("expected a plan: a mapping with 'plan' and 'atoms', found \(root.kindDescription)", root)
            return nil
        }
        for pair in pairs where !Self.planKeys.contains(pair.key) {
            warning(
                "unknown plan key '\(pair.key)' is ignored" + Self.guess(pair.key, in: Self.planKeys),
                at: pair.keyLocation)
        }
        let id = planID(root, fallbackID: fallbackID)
        let language = text(root["language"], "language")
        let description = text(root["description"], "description")
        let levels = root["levels"].flatMap { listOfLists($0) }
        let suite = root["suite"].map { readSuite($0, defaultLanguage: language) } ?? []
        guard let atoms = readAtoms(root, defaultLanguage: language).map(Self.nested) else { return nil }
        var plan = Plan(id: id, description: description, atoms: atoms, declaredLevels: levels)
        plan.suite = suite
        return plan
    }

    private mutating func planID(_ root: YAMLNode, fallbackID: String) -> String {
        guard let node = root["plan"] else {
            warning("no 'plan' key; the plan is named after its file: '\(fallbackID)'", at: root.location)
            if !Self.isSafeName(fallbackID) {
                error(
                    "the file name '\(fallbackID)' cannot name a plan; add 'plan: NAME' using only A-Z a-z 0-9 . _ -",
                    root)
            }
            return fallbackID
        }
        guard let id = text(node, "plan") else { return fallbackID }
        if !Self.isSafeName(id) {
            error(
                "plan id '\(id)' may use only A-Z a-z 0-9 . _ - (it names a folder), must not be '.' or '..', "
                    + "and must not start with '_' (reserved for AtomForge's own folders)", node)
        }
        return id
    }

    /// The largest `estimated_loc` a plan may give: far above any atom, far below where the sizes derived from it
    /// (reply budgets, code limits) could overflow.
    static let largestEstimate = 100_000

    /// A name that is safe as one folder name: `[A-Za-z0-9._-]+`, not `.`/`..`, not starting with `_`.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name != "." && name != ".." && !name.hasPrefix("_")
            && name.unicodeScalars.allSatisfy(isSafeScalar)
    }

    private static func isSafeScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    /// The plan's own test files (`suite:`), each `{name, code}` with the language its name's extension gives (or
    /// `language`, or the plan's). Only languages ``SuiteRunner`` runs are accepted: a suite that would not run is an
    /// error now, not a surprise after the model was paid.
    private mutating func readSuite(_ node: YAMLNode, defaultLanguage: String?) -> [SuiteFile] {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            error("'suite' must be a list of test files, each {name, code}, found \(node.kindDescription)", node)
            return []
        }
        var files: [SuiteFile] = []
        for (index, item) in items.enumerated() {
            let label = "suite[\(index)]"
            guard let pairs = item.mapping else {
                error("\(label) must be a mapping {name: test_x.py, code: ...}, found \(item.kindDescription)", item)
                continue
            }
            for pair in pairs where !Self.suiteKeys.contains(pair.key) {
                warning(
                    "\(label): unknown key '\(pair.key)' is ignored" + Self.guess(pair.key, in: Self.suiteKeys),
                    at: pair.keyLocation)
            }
            if let pathNode = item["path"] {
                // A file next to the plan: read by the checker, which knows where the plan is.
                guard let path = text(pathNode, "\(label): path") else { continue }
                if let problem = Self.pathProblem(path) {
                    let why = problem.replacing("the output tree", with: "the plan's folder")
                    error("\(label): path '\(path)' \(why)", pathNode)
                    continue
                }
                let normalized = Self.normalized(path)
                if item["code"] != nil { error("\(label): give 'path' or 'code', not both", pathNode) }
                guard !isTaken(normalized, in: files, label: label, pathNode),
                    let language = suiteLanguage(of: item, named: path, defaultLanguage: nil, label: label)
                else { continue }
                var file = SuiteFile(name: normalized, code: "", language: language)
                file.path = normalized
                file.location = pathNode.location
                files.append(file)
                continue
            }
            guard let name = required(item["name"], "name", of: label, in: item),
                let code = required(item["code"], "code", of: label, in: item)
            else { continue }
            guard Self.isSuiteFileName(name) else {
                error(
                    "\(label): name '\(name)' must be a plain file name (A-Z a-z 0-9 . _ -, no folders) with its "
                        + "language's extension, e.g. test_tools.py", item["name"]!)
                continue
            }
            guard !isTaken(name, in: files, label: label, item["name"]!) else { continue }
            if code.allSatisfy(\.isWhitespace) {
                error("\(label): 'code' is empty; give the test file's text", item["code"]!)
                continue
            }
            guard let language = suiteLanguage(of: item, named: name, defaultLanguage: defaultLanguage, label: label)
            else { continue }
            files.append(SuiteFile(name: name, code: code, language: language))
        }
        return files
    }

    /// Whether another suite file already has `name` (an error, said at `node`).
    private mutating func isTaken(_ name: String, in files: [SuiteFile], label: String, _ node: YAMLNode) -> Bool {
        guard files.contains(where: { $0.name == name }) else { return false }
        error("\(label): another suite file is already named '\(name)'", node)
        return true
    }

    /// A suite file's language: its `language`, else its name's extension, else the plan's (`defaultLanguage`, for
    /// inline files only); nil, with an error, when there is none or its suites are not run.
    private mutating func suiteLanguage(
        of item: YAMLNode, named name: String, defaultLanguage: String?, label: String
    ) -> Language? {
        let written = item["language"].flatMap { text($0, "\(label): language") }
        guard
            let language = written.map(Language.named) ?? Language.forFile(name) ?? defaultLanguage.map(Language.named)
        else {
            error("\(label): no language; give the file a known extension (.py) or set 'language'", item)
            return nil
        }
        guard let runner = language.testRunner, SuiteFile.runners.contains(runner) else {
            error(
                "\(label): suites in \(language.name.isEmpty ? "this language" : language.name) are not run yet; "
                    + "only Python (pytest), JavaScript and TypeScript (node --test) and Swift (test functions) suites "
                    + "are", item)
            return nil
        }
        return language
    }

    /// A suite file's name: one plain file name, not `.` or `..`.
    static func isSuiteFileName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128 && name != "." && name != ".." && name.contains(".")
            && name.unicodeScalars.allSatisfy(isSafeScalar)
    }

    private mutating func readAtoms(
        _ root: YAMLNode, defaultLanguage: String?
    ) -> [(atom: Atom, pending: PendingNesting)]? {
        guard let node = root["atoms"] else {
            error("the plan has no 'atoms' list; add at least one atom", at: root.location)
            return nil
        }
        guard let items = node.sequence else {
            if node.isNull {
                error("'atoms' is empty; add at least one atom", node)
            } else {
                error("'atoms' must be a list of atoms, found \(node.kindDescription)", node)
            }
            return nil
        }
        if items.isEmpty { error("'atoms' is empty; add at least one atom", node) }
        return items.enumerated().compactMap { index, item in
            readAtom(item, index: index, defaultLanguage: defaultLanguage)
        }
    }

    private mutating func readAtom(
        _ node: YAMLNode, index: Int, defaultLanguage: String?
    ) -> (atom: Atom, pending: PendingNesting)? {
        guard let pairs = node.mapping else {
            error(
                "atoms[\(index)] must be a mapping with id, name and description, found \(node.kindDescription)", node)
            return nil
        }
        let idNode = node["id"]
        let label = idNode?.text.map { "atom '\($0)'" } ?? "atoms[\(index)]"
        for pair in pairs where !Self.atomKeys.contains(pair.key) {
            warning(
                "\(label): unknown key '\(pair.key)' is ignored" + Self.guess(pair.key, in: Self.atomKeys),
                at: pair.keyLocation)
        }
        let id = required(idNode, "id", of: label, in: node)
        if let id, !Self.isSafeName(id) {
            error(
                "\(label): id may use only A-Z a-z 0-9 . _ - (it names a folder) and must not start with '_'", idNode!)
        }
        let name = required(node["name"], "name", of: label, in: node)
        let providedCode = node["code"].flatMap { text($0, "\(label): code") }
        // Code the plan provides needs no description: nothing is generated from it.
        let description =
            providedCode != nil && node["description"] == nil
            ? "" : required(node["description"], "description", of: label, in: node)
        if let providedCode, let codeNode = node["code"], providedCode.allSatisfy(\.isWhitespace) {
            error("\(label): 'code' is empty; give the code, or remove 'code' to have it generated", codeNode)
        }
        var kind: AtomKind?
        if let kindNode = node["kind"], let word = text(kindNode, "\(label): kind") {
            kind = AtomKind(planWord: word)
            if kind == nil {
                error("\(label): kind must be class, method or function, found '\(word)'", kindNode)
            }
        }
        let parent = node["parent"].flatMap { text($0, "\(label): parent") }

        let context = node["context"]
        if let context, context.mapping == nil, !context.isNull {
            error("\(label): 'context' must be a mapping, found \(context.kindDescription)", context)
        }
        let fileContext = context?["file_context"]
        let fileNode = node["file"] ?? fileContext?["file_path"]
        var file = fileNode.flatMap { text($0, "\(label): file") }
        let importsNode = node["imports"] ?? fileContext?["imports"]
        let imports = importsNode.flatMap { listOfText($0, "\(label): imports") } ?? []

        var language: Language?
        if let languageNode = node["language"], let languageName = text(languageNode, "\(label): language") {
            language = .named(languageName)
        } else if let defaultLanguage {
            language = .named(defaultLanguage)
        } else if let file {
            language = Language.forFile(file)
        }
        // A method without a file of its own takes its class's file and language (settled with the whole plan).
        if language == nil, !(parent != nil && fileNode == nil) {
            error(
                "\(label): no language; set 'language' on the plan or the atom, or give 'file' a known extension", node)
        }
        if let file, let fileNode, let problem = Self.pathProblem(file) {
            error("\(label): file '\(file)' \(problem)", fileNode)
        }
        if file == nil, let id, let language { file = "\(id).\(language.fileExtensions[0])" }
        file = file.map(Self.normalized)

        var estimatedLOC: Int?
        if let locNode = node["estimated_loc"], !locNode.isNull {
            estimatedLOC = locNode.int
            if estimatedLOC == nil || estimatedLOC! < 1 || estimatedLOC! > Self.largestEstimate {
                error(
                    "\(label): estimated_loc must be a whole number of lines from 1 to \(Self.largestEstimate) (an "
                        + "atom is a small unit), found \(locNode.kindDescription)",
                    locNode)
                estimatedLOC = nil
            }
        }
        let complexity = node["complexity"].flatMap { text($0, "\(label): complexity") }
        let dependsOn = node["depends_on"].flatMap { listOfText($0, "\(label): depends_on") } ?? []
        let tests = node["tests"].flatMap { text($0, "\(label): tests") }
        let parentContextNode = context?["parent_context"]
        let parentContext = parentContextNode.flatMap { $0.isNull ? nil : Self.render($0) }
        let parentNames = parentContextNode.map(Self.parentNames) ?? []

        // An atom with an id is kept even when other fields are broken (the plan is invalid anyway), so that the
        // atoms depending on it are not also reported as depending on an unknown atom.
        guard let id else { return nil }
        let atom = Atom(
            id: id, name: name ?? "", description: description ?? "", file: file ?? id,
            language: language ?? Language(name: "", fileExtensions: [], fenceTags: [], lineComment: "#"),
            imports: imports,
            estimatedLOC: estimatedLOC, complexity: complexity, dependsOn: dependsOn, tests: tests,
            parentContext: parentContext, kind: kind ?? (parent == nil ? .function : .method), parent: parent,
            providedCode: providedCode, location: node.location)
        return (
            atom,
            PendingNesting(
                kindGiven: kind != nil, parentNames: parent == nil ? parentNames : [], fileGiven: fileNode != nil)
        )
    }

    /// What only the whole plan can settle about an atom's nesting: whether its kind was written or is to be
    /// inferred, and the names its `context.parent_context` gives for a parent.
    struct PendingNesting {
        var kindGiven: Bool
        var parentNames: [String]
        /// Whether the atom named its file; a method that does not is in its class's file.
        var fileGiven = true
    }

    /// The upstream planner's `parent_context`, as the names it may give for the atom's class: the text itself
    /// (`Stack`, `class Stack`), or in a mapping the value of `class`, `class_name`, `parent`, `name` or `type`.
    static func parentNames(_ node: YAMLNode) -> [String] {
        if let text = node.text {
            let trimmed = text.trimmingWhitespace()
            var names = [trimmed]
            for keyword in ["class ", "struct ", "type "] where trimmed.hasPrefix(keyword) {
                names.append(String(trimmed.dropFirst(keyword.count)).trimmingWhitespace())
            }
            return names
        }
        // A mapping that says what kind of scope it is (`type: function`, `kind: module`) names a class only when
        // that kind is one.
        for key in ["type", "kind"] {
            if let word = node[key]?.text, AtomKind(planWord: word) != .type { return [] }
        }
        return ["class", "class_name", "parent", "name"].compactMap { node[$0]?.text }
    }

    /// The plan's atoms with their nesting settled: a `parent_context` that names an atom of the same file (by id,
    /// or a type's name) becomes its `parent`; an atom named as a parent is a type and one with a parent a method,
    /// unless their `kind` says otherwise (the checker then reports it).
    static func nested(_ read: [(atom: Atom, pending: PendingNesting)]) -> [Atom] {
        var atoms = read.map(\.atom)
        let ids = Set(atoms.map(\.id))
        // Looked up by id and by name, not searched: a plan of 10,000 atoms is read in linear time.
        let positionOfID = Dictionary(atoms.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        let indicesOfName = Dictionary(grouping: atoms.indices, by: { atoms[$0].name })
        for (index, entry) in read.enumerated() where atoms[index].parent == nil && !entry.pending.parentNames.isEmpty {
            let file = atoms[index].file
            let fileGiven = entry.pending.fileGiven
            // Only an atom that can be a class: not the atom itself, and not one whose kind says otherwise.
            let canBeParent = { (other: Int) -> Bool in
                other != index && (!fileGiven || atoms[other].file == file)
                    && (read[other].pending.kindGiven ? atoms[other].kind == .type : atoms[other].parent == nil)
            }
            let match = entry.pending.parentNames.lazy.compactMap { name -> String? in
                if let other = positionOfID[name], canBeParent(other) { return atoms[other].id }
                return indicesOfName[name]?.first(where: canBeParent).map { atoms[$0].id }
            }.first
            if let match {
                atoms[index].parent = match
                if !entry.pending.kindGiven { atoms[index].kind = .method }
            }
        }
        // A method without a file of its own is in its class's file.
        let fileOf = Dictionary(atoms.map { ($0.id, $0.file) }, uniquingKeysWith: { first, _ in first })
        let languageOf = Dictionary(atoms.map { ($0.id, $0.language) }, uniquingKeysWith: { first, _ in first })
        for (index, entry) in read.enumerated() where !entry.pending.fileGiven {
            guard let parent = atoms[index].parent, let file = fileOf[parent] else { continue }
            atoms[index].file = file
            if atoms[index].language.name.isEmpty, let language = languageOf[parent] {
                atoms[index].language = language
            }
        }
        let parents = Set(atoms.compactMap(\.parent))
        for (index, entry) in read.enumerated() where !entry.pending.kindGiven && parents.contains(atoms[index].id) {
            if atoms[index].parent == nil { atoms[index].kind = .type }
        }
        // A constructor written as a method atom is part of the class every other method is validated in.
        var constructorOf: [String: String] = [:]
        for atom in atoms where atom.kind == .method {
            if let parent = atom.parent, let layout = ClassLayout(atom.language), atom.name == layout.constructorName {
                constructorOf[parent] = constructorOf[parent] ?? atom.id
            }
        }
        let indexOfID = Dictionary(atoms.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        /// Whether `start` reaches `target` through `depends_on`: a constructor that calls a method (and so depends
        /// on it) must not also wait for it.
        func reaches(_ start: String, _ target: String) -> Bool {
            var stack = [start]
            var seen = Set<String>()
            while let next = stack.popLast() {
                if next == target { return true }
                guard seen.insert(next).inserted, let position = indexOfID[next] else { continue }
                stack += atoms[position].dependsOn
            }
            return false
        }
        for index in atoms.indices where atoms[index].kind == .method {
            guard let parent = atoms[index].parent, let constructor = constructorOf[parent],
                constructor != atoms[index].id, !atoms[index].dependsOn.contains(constructor),
                !reaches(constructor, atoms[index].id)
            else { continue }
            atoms[index].dependsOn.append(constructor)
        }
        return atoms
    }

    /// Why `path` cannot be a file in the output tree, or nil when it can.
    static func pathProblem(_ path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.hasPrefix("/") || path.hasPrefix("~") { return "must be relative to the output tree, not absolute" }
        if path.contains("\\") { return "must use '/' between folders" }
        if path.contains("\0") { return "contains a NUL character" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "must not use '..': it would escape the output tree" }
        if path.hasSuffix("/") { return "names a folder; give a file name" }
        if parts.dropLast().contains(where: { $0.isEmpty }) && parts.count > 1 {
            return "has an empty folder name ('//')"
        }
        if parts.last.map({ $0 == "." }) == true { return "names a folder; give a file name" }
        return nil
    }

    /// `./a/./b.py` → `a/b.py`, so that two spellings of one file are one file.
    static func normalized(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// A compact text form of any node, for context passed through to the model.
    static func render(_ node: YAMLNode) -> String {
        switch node.kind {
        case .scalar(let scalar): scalar.value
        case .sequence(let items): "[" + items.map(render).joined(separator: ", ") + "]"
        case .mapping(let pairs): "{" + pairs.map { "\($0.key): \(render($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    // MARK: Typed readings that record what is wrong

    private mutating func required(_ node: YAMLNode?, _ key: String, of label: String, in atom: YAMLNode) -> String? {
        guard let node, !node.isNull else {
            error("\(label) has no '\(key)'", atom)
            return nil
        }
        guard let value = text(node, "\(label): \(key)") else { return nil }
        if value.allSatisfy(\.isWhitespace) {
            error("\(label): '\(key)' is empty", node)
            return nil
        }
        return value
    }

    private mutating func text(_ node: YAMLNode?, _ what: String) -> String? {
        guard let node, !node.isNull else { return nil }
        guard let value = node.text else {
            error("\(what) must be text, found \(node.kindDescription)", node)
            return nil
        }
        return value
    }

    private mutating func listOfText(_ node: YAMLNode, _ what: String) -> [String]? {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            error("\(what) must be a list, e.g. [a, b], found \(node.kindDescription)", node)
            return nil
        }
        var values: [String] = []
        for item in items {
            guard let value = item.text else {
                error("\(what) must list text items, found \(item.kindDescription)", item)
                return nil
            }
            values.append(value)
        }
        return values
    }

    private mutating func listOfLists(_ node: YAMLNode) -> [[String]]? {
        if node.isNull { return nil }
        guard let items = node.sequence else {
            error("'levels' must be a list of lists of atom ids, found \(node.kindDescription)", node)
            return nil
        }
        var levels: [[String]] = []
        for item in items {
            guard let level = listOfText(item, "each entry of 'levels'") else { return nil }
            levels.append(level)
        }
        return levels
    }

    private mutating func error(_ message: String, _ node: YAMLNode) {
        diagnostics.append(.error(message, at: node.location))
    }

    private mutating func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(.error(message, at: location))
    }

    private mutating func warning(_ message: String, at location: SourceLocation) {
        diagnostics.append(.warning(message, at: location))
    }
}
