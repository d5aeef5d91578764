import Foundation

extension SourceTreeCheck {
    /// The Swift files of `tree` that do not compile together as one module (`swiftc -typecheck`, as a library unless
    /// the tree has a `main.swift`): a declaration two atoms make (the compiler names it in both files: the atom named
    /// after it is its owner), a statement at the top of a file that is not the program's `main.swift`, anything else
    /// the compiler calls an error on a line of the tree.
    func swiftFailures(in tree: [String: AssembledFile]) async -> [Failure]? {
        let paths = tree.keys.sorted()
        // The sandbox takes a flat folder: file i is `f<i>.swift`, the first `main.swift` keeping its name.
        let main = paths.first { ($0 as NSString).lastPathComponent == "main.swift" }
        let names = paths.enumerated().map { index, path in path == main ? "main.swift" : "f\(index).swift" }
        let library = main == nil ? "-parse-as-library " : ""
        let found = await compilerErrors(
            tree: tree, paths: paths, names: names,
            command: "swiftc -typecheck \(library)\(names.joined(separator: " "))",
            pattern: #/^(?<file>[^\s:]+):(?<line>\d+):\d+: error: (?<message>.*)$/#)
        guard let found else { return nil }
        return paths.compactMap { path in
            guard var failure = found[path]?.first else { return nil }
            if let name = failure.message.firstMatch(
                of: #/^invalid redeclaration of '(?<name>[A-Za-z_][A-Za-z0-9_]*)/#)?.name
            {
                failure.symbol = String(name)
            }
            return failure
        }
    }

    /// The TypeScript files of `tree` that declare what another declaration already did (`tsc --noEmit` of all of
    /// them together: a duplicate function, identifier or block-scoped variable; the later declaration is the one
    /// that shadows). Each file is a module that imports what it uses from the others (``SourceAssembler``), so a
    /// name is declared twice within one file only. Other type errors are the atoms' own, checked when each was
    /// compiled with its dependencies: here the files lie side by side under other names, and their imports of one
    /// another do not resolve.
    func typescriptFailures(in tree: [String: AssembledFile]) async -> [Failure]? {
        let paths = tree.keys.sorted()
        let names = paths.indices.map { "f\($0).ts" }
        let found = await compilerErrors(
            tree: tree, paths: paths, names: names,
            command: "tsc --noEmit --skipLibCheck --target es2020 --module commonjs \(names.joined(separator: " "))",
            pattern: #/^(?<file>[^\s(]+)\((?<line>\d+),\d+\): error (?<message>TS\d+: .*)$/#)
        guard let found else { return nil }
        let duplicates = ["TS2300:", "TS2393:", "TS2451:", "TS2323:"]
        return paths.compactMap { path in
            let lines = tree[path]!.text.split(separator: "\n", omittingEmptySubsequences: false)
            guard
                var failure = found[path]?.last(where: { failure in
                    duplicates.contains { failure.message.hasPrefix($0) }
                })
            else { return nil }
            let named = failure.message.firstMatch(of: #/'(?<name>[A-Za-z_$][\w$]*)'/#)?.name
            let declared = failure.place.flatMap { place in
                lines.indices.contains(place.line - 1)
                    ? lines[place.line - 1].firstMatch(
                        of: #/(?:function|class|const|let|var)\s+(?<name>[A-Za-z_$][\w$]*)/#)?
                        .name : nil
            }
            failure.symbol = (named ?? declared).map(String.init)
            return failure
        }
    }

    /// Runs `command` over the files of `tree` written as `names`, and reads the errors the compiler gives (`pattern`'s
    /// file, line and message), by the tree's path, each file's in the order given; the flat names in messages are
    /// put back as the tree's paths. Nil when the compiler gave no answer: it could not start, ran out of time, or
    /// failed without an error on any file of the tree.
    private func compilerErrors(
        tree: [String: AssembledFile], paths: [String], names: [String], command: String,
        pattern: Regex<(Substring, file: Substring, line: Substring, message: Substring)>
    ) async -> [String: [Failure]]? {
        var files: [String: String] = [:]
        for (name, path) in zip(names, paths) { files[name] = tree[path]!.text }
        let marker = "atomforge-compiler-status"
        let script =
            "\(command) > compiler.log 2>&1; status=$?; head -c 200000 compiler.log; echo; echo \(marker) $status"
        guard let run = try? await runner.run("sh", ["-c", script], files: files), !run.timedOut else { return nil }
        let pathOf = Dictionary(zip(names, paths), uniquingKeysWith: { first, _ in first })
        var found: [String: [Failure]] = [:]
        var status: Int?
        for line in run.output.split(separator: "\n") {
            if line.hasPrefix(marker + " ") {
                status = Int(line.dropFirst(marker.count + 1))
                continue
            }
            guard let match = try? pattern.wholeMatch(in: line),
                let path = pathOf[(String(match.file) as NSString).lastPathComponent], let number = Int(match.line)
            else { continue }
            var message = String(match.message)
            for (name, other) in pathOf.sorted(by: { $0.key.count > $1.key.count }) {
                message = message.replacingOccurrences(of: name, with: "src/" + other)
            }
            found[path, default: []].append(
                Failure(file: path, message: message, place: Place(file: path, line: number, function: "<module>")))
        }
        guard let status, status == 0 || !found.isEmpty else { return nil }
        return found
    }
}
