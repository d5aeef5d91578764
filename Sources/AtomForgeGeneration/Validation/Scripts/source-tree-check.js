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
// The tree on disk too: a file's `require("./other.js")` loads the other file as Node would.
const root = require("path").join(process.cwd(), "tree") + "/";
for (const { path, text } of tree) {
    fs.mkdirSync(require("path").dirname(root + path), { recursive: true });
    fs.writeFileSync(root + path, text);
}
const inTree = (file) => file.startsWith(root) ? file.slice(root.length) : file;
/// The innermost line of the tree an error's stack names: a frame first (it has the function), else the
/// `file:line` a syntax error starts with.
function place(error) {
    const stack = String(error && error.stack || "").split("\n");
    for (const line of stack) {
        const frame = /at (?:(\S+) \()?([^()\s]+):(\d+):\d+\)?$/.exec(line.trim());
        if (frame && texts.has(inTree(frame[2]))) {
            const name = frame[1] && !frame[1].startsWith("Object.<anonymous>") ? frame[1] : "<module>";
            return [inTree(frame[2]), Number(frame[3]), name.split(".").pop()];
        }
    }
    const head = /^(.+):(\d+)$/.exec(stack[0] || "");
    return head && texts.has(inTree(head[1])) ? [inTree(head[1]), Number(head[2]), "<module>"] : null;
}
function freshContext(path) {
    const module = { exports: {} };
    return vm.createContext({
        console: quiet, require: require("module").createRequire(root + path), module, exports: module.exports,
        __filename: root + path, __dirname: require("path").dirname(root + path), process, Buffer, URL, URLSearchParams,
        TextEncoder, TextDecoder, setTimeout, clearTimeout, setInterval, clearInterval, setImmediate,
        clearImmediate, queueMicrotask, structuredClone,
    });
}
for (const { path, text, before } of tree) {
    if (results[path]) continue;
    const context = freshContext(path);
    // The dependencies' files that it does not `require` (not CommonJS): what fails there is theirs.
    for (const other of before.filter((file) => !/\.c?js$/.test(file))) {
        try { vm.runInContext(texts.get(other), context, { filename: other, timeout: 5000 }); } catch { /* its own error is its own file's */ }
    }
    try {
        vm.runInContext(text, context, { filename: path, timeout: 5000 });
    } catch (error) {
        const name = String(error && error.name || "Error");
        const message = (name + ": " + String(error && error.message || error)).slice(0, 500);
        const where = place(error);
        // An error in a file it requires is that file's, reported when that file is run.
        if (where && where[0] !== path && texts.has(where[0])) continue;
        results[path] = { error: message, place: where };
    }
}
out(token + JSON.stringify(results));
process.exit(0);
