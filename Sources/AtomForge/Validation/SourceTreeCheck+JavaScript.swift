import Foundation

extension SourceTreeCheck {
    /// The JavaScript files of `tree` that fail to load: each file read for a function or class declared twice at its
    /// top (the later silently replaces the earlier), then each file run in a context of its own after the files of
    /// its atoms' dependencies (`before`), as the atoms' tests run their dependencies first, with what a CommonJS
    /// file has (`require`, `module`, `exports`). A syntax error or an exception while the file itself loads is the
    /// file's, placed at the innermost line of the tree it came from.
    func javascriptFailures(in tree: [String: AssembledFile], before: [String: [String]]) async -> [Failure]? {
        let paths = tree.keys.sorted()
        let entries = paths.map { path -> [String: Any] in
            ["path": path, "text": tree[path]!.text, "before": (before[path] ?? []).filter { tree[$0] != nil }]
        }
        let token = AtomTestValidator.makeToken()
        guard let treeJSON = try? JSONSerialization.data(withJSONObject: entries),
            let run = try? await runner.run(
                "node", ["check.js"],
                files: [
                    "check.js": Self.javascript, "tree.json": String(decoding: treeJSON, as: UTF8.self),
                    TestHarness.tokenFile: token,
                ])
        else { return nil }
        guard let object = run.report(behind: token) else { return nil }
        return Self.failures(in: object)
    }

    /// Reads `tree.json` ([{path, text, before}, …]) and prints one line behind the token: file → its error, its
    /// place in the tree, and the name declared twice when that is the error.
    static let javascript = #"""
        const fs = require("fs");
        const vm = require("vm");
        const token = fs.readFileSync("done-token", "utf8").trim();
        fs.unlinkSync("done-token");
        const tree = JSON.parse(fs.readFileSync("tree.json", "utf8"));
        const out = (text) => fs.writeSync(1, text + "\n");
        const quiet = {};
        for (const method of ["log", "info", "warn", "error", "debug", "table", "dir", "trace"]) quiet[method] = () => {};
        process.stdout.write = () => true;
        const texts = new Map(tree.map((entry) => [entry.path, entry.text]));
        const results = {};
        // A declaration at the top of a file (column 0, as atoms are written): a second one of the same name.
        const declaration = /^(?:export\s+)?(?:async\s+)?(?:function\s*\*?\s*|class\s+)([A-Za-z_$][\w$]*)/;
        for (const { path, text } of tree) {
            const first = {};
            text.split("\n").forEach((line, index) => {
                const match = declaration.exec(line);
                if (!match || results[path]) return;
                if (first[match[1]]) {
                    results[path] = {
                        error: "`" + match[1] + "` is defined twice (lines " + first[match[1]] + " and " + (index + 1)
                            + "): the later definition replaces the earlier one",
                        place: [path, index + 1, "<module>"], symbol: match[1],
                    };
                } else {
                    first[match[1]] = index + 1;
                }
            });
        }
        /// The innermost line of the file an error's stack names: a frame first (it has the function), else the
        /// `file:line` a syntax error starts with.
        function place(error, path) {
            const stack = String(error && error.stack || "").split("\n");
            for (const line of stack) {
                const frame = /at (?:(\S+) \()?([^()\s]+):(\d+):\d+\)?$/.exec(line.trim());
                if (frame && frame[2] === path) {
                    const name = frame[1] && !frame[1].startsWith("Object.<anonymous>") ? frame[1] : "<module>";
                    return [path, Number(frame[3]), name.split(".").pop()];
                }
            }
            const head = /^(.+):(\d+)$/.exec(stack[0] || "");
            return head && head[1] === path ? [path, Number(head[2]), "<module>"] : null;
        }
        function freshContext() {
            const module = { exports: {} };
            return vm.createContext({
                console: quiet, require, module, exports: module.exports, process, Buffer, URL, URLSearchParams,
                TextEncoder, TextDecoder, setTimeout, clearTimeout, setInterval, clearInterval, setImmediate,
                clearImmediate, queueMicrotask, structuredClone,
            });
        }
        for (const { path, text, before } of tree) {
            if (results[path]) continue;
            const context = freshContext();
            // The dependencies' files: what fails there is theirs, reported with them.
            for (const other of before) {
                try { vm.runInContext(texts.get(other), context, { filename: other, timeout: 5000 }); } catch {}
            }
            try {
                vm.runInContext(text, context, { filename: path, timeout: 5000 });
            } catch (error) {
                const name = String(error && error.name || "Error");
                const message = (name + ": " + String(error && error.message || error)).slice(0, 500);
                results[path] = { error: message, place: place(error, path) };
            }
        }
        out(token + JSON.stringify(results));
        process.exit(0);
        """#
}
