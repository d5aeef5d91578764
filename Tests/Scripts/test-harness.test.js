// The JavaScript test harness (Validation/Scripts/test-harness.js) on its own, under node's own test runner: the
// token only when the tests ran to their end, a failure reported with its place, console.assert made to throw.
const { test } = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const harness = path.join(__dirname, "..", "..", "Sources", "AtomForgeGeneration", "Validation", "Scripts", "test-harness.js");
const TOKEN = "atomforge-token-0123456789";
const ATOM = "function add(a, b) {\n    return a + b;\n}\n";

/** Runs the atom `add` (lines 1-3) with `tests` (from line 5) as AtomTestValidator does. */
function run(tests) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "harness-js-"));
    fs.copyFileSync(harness, path.join(folder, "runner.js"));
    fs.writeFileSync(path.join(folder, "program.js"), ATOM + "\n" + tests);
    fs.writeFileSync(path.join(folder, "done-token"), TOKEN);
    const result = spawnSync("node", ["runner.js", "1", "5", "3", "1", "0"], { cwd: folder, encoding: "utf8" });
    const tokenLeft = fs.existsSync(path.join(folder, "done-token"));
    fs.rmSync(folder, { recursive: true, force: true });
    // A pass is the token on a line of its own; a report of a failure starts `<token>:report:<kind>`.
    const lines = result.stdout.split("\n");
    const header = lines.find((line) => line.startsWith(`${TOKEN}:report:`));
    return {
        ...result, tokenLeft, passed: lines.includes(TOKEN), reported: header !== undefined,
        kind: header && header.slice(`${TOKEN}:report:`.length),
    };
}

test("passing tests print the token, and its file is gone", () => {
    const result = run("console.assert(add(1, 2) === 3);\n");
    assert.strictEqual(result.status, 0, result.stdout + result.stderr);
    assert.ok(result.passed && !result.reported, result.stdout);
    assert.strictEqual(result.tokenLeft, false);
});

test("a failing console.assert fails the run (in Node it only prints)", () => {
    const result = run("console.assert(add(1, 2) === 3);\nconsole.assert(add(2, 2) === 5);\n");
    assert.ok(!result.passed && result.reported, result.stdout);
    assert.strictEqual(result.kind, "assertion");
    assert.match(result.stdout, /Assertion failed\n {2}at tests line 2: console\.assert\(add\(2, 2\) === 5\);/);
    assert.notStrictEqual(result.status, 0);
});

test("an uncaught error is reported with its line in the tests", () => {
    const result = run("console.assert(add(1, 2) === 3);\nthrow new Error('boom');\n");
    assert.ok(!result.passed && result.reported, result.stdout);
    assert.strictEqual(result.kind, "exception");
    assert.match(result.stdout, /Error: boom\n {2}at tests line 2: throw new Error\('boom'\);/);
});

test("a test awaiting a promise that never settles is reported, not passed", () => {
    const result = run("test('waits', async () => { await new Promise(() => {}); });\n");
    assert.ok(!result.passed && result.reported, result.stdout);
    assert.match(result.stdout, /the test "waits" never finished/);
});

test("the report names the kind from the error's class: an undefined name, a wrong type, node's assert", () => {
    assert.strictEqual(run("console.assert(missing() === 1);\n").kind, "name");
    assert.strictEqual(run("console.assert(null.x === 1);\n").kind, "type");
    const strict = run("const assert = require('assert');\ntest('adds', () => { assert.strictEqual(add(2, 2), 5); });\n");
    assert.strictEqual(strict.kind, "assertion", strict.stdout);
});

test("code that replaces fs.writeSync to catch the token in a report cannot pass a failing test", () => {
    const forge = [
        "const fs = require('fs');",
        "const original = fs.writeSync;",
        "fs.writeSync = (fd, text, ...rest) => {",
        "    const token = String(text).split(':report')[0];",
        "    if (String(text).includes(':report')) { original(1, token + '\\n'); process.exit(0); }",
        "    return original(fd, text, ...rest);",
        "};",
        "console.assert(add(2, 2) === 5);",
    ].join("\n") + "\n";
    const result = run(forge);
    assert.ok(!result.passed, result.stdout);
});

test("process.exit(0) before the last test does not pass", () => {
    const result = run("process.exit(0);\nconsole.assert(add(2, 2) === 5);\n");
    assert.ok(!result.passed, result.stdout);
});
