const fs = require("fs");
const path = require("path");
const { spawn, spawnSync } = require("child_process");
const token = fs.readFileSync("done-token", "utf8").trim();
fs.unlinkSync("done-token");
const payload = JSON.parse(fs.readFileSync("suite.json", "utf8"));
const here = process.cwd();
for (const [folder, files] of [["src", payload.tree], ["suite", payload.suite]]) {
    for (const [name, text] of Object.entries(files)) {
        const target = path.join(here, folder, name);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
    }
}
const say = (object) => fs.writeSync(1, token + JSON.stringify(object) + "\n");
const limit = Math.round(1000 * (payload.test_timeout || 10));
const wanted = new Set(payload.only || []);
let chosen = wanted.size === 0 ? Object.keys(payload.suite)
    : Object.keys(payload.suite).filter((name) => [...wanted].some((id) => id.startsWith("suite/" + name + "::")));
const errors = [];
// TypeScript: the tree and the suite compiled to CommonJS beside their sources, with source maps, so that
// stacks and test places name the .ts files and their lines. Type errors do not stop a test (a suite
// without Node's type declarations has them); a suite file that does not parse is a problem of the suite.
const typescript = Boolean(payload.typescript);
if (typescript) {
    const sources = [...Object.keys(payload.tree).map((name) => path.join("src", name)),
        ...chosen.map((name) => path.join("suite", name))].filter((name) => name.endsWith(".ts"));
    const compiled = spawnSync("tsc", ["--target", "es2020", "--module", "commonjs", "--esModuleInterop",
        "--skipLibCheck", "--sourceMap", "--pretty", "false", "--rootDir", ".", ...sources], { cwd: here, encoding: "utf8" });
    const unparsed = new Map();
    for (const line of String(compiled.stdout || "").split("\n")) {
        const found = /^(suite\/[^(]+)\((\d+),\d+\): error (TS1\d{3}: .*)$/.exec(line);
        if (found && !unparsed.has(found[1])) unparsed.set(found[1], `${found[1]}:${found[2]}: ${found[3]}`);
    }
    if (compiled.error) errors.push("tsc could not run: " + compiled.error.message);
    for (const said of unparsed.values()) errors.push(said);
    chosen = chosen.filter((name) => !unparsed.has(path.join("suite", name)));
}
// A compiled file is known by its TypeScript source: the runner names the file it ran (.js) at times.
const source = (file) => typescript && file && file.endsWith(".js") && fs.existsSync(file.slice(0, -3) + ".ts")
    ? file.slice(0, -3) + ".ts" : file;
const files = chosen.map((name) => path.join("suite", typescript ? name.replace(/\.ts$/, ".js") : name));
// Per file: each test by its place, its name path, and what became of it; the tests queued and started.
const state = new Map();
const tests = new Map();
const stderr = new Map();
const idOf = (file, names) => path.relative(here, file) + "::" + names.join(" > ");
function fileState(file) {
    if (!state.has(file)) state.set(file, { stack: [], byPlace: new Map(), queued: [], started: new Set(), suites: new Set(), any: false });
    return state.get(file);
}
let failures = 0;
/// The test's code from its line: up to where its braces close (40 lines at most), what a round's prompt shows.
function testSource(file, line) {
    try {
        const lines = fs.readFileSync(file, "utf8").split("\n").slice(line - 1, line + 39);
        let depth = 0;
        let opened = false;
        const kept = [];
        for (const text of lines) {
            kept.push(text);
            for (const character of text) {
                if (character === "{") { depth += 1; opened = true; }
                if (character === "}") depth -= 1;
            }
            if (opened && depth <= 0) break;
        }
        return kept.join("\n").slice(0, 2000);
    } catch {
        return undefined;
    }
}
function place(event) { return `${event.line}:${event.column}:${event.nesting}:${event.name}`; }
function handle(event) {
    const data = event.data || {};
    const file = source(data.file);
    if (event.type === "test:stderr" || event.type === "test:stdout") {
        if (file) stderr.set(file, ((stderr.get(file) || "") + data.message).slice(-4000));
        return;
    }
    if (!file) return;
    if (data.name === data.file || path.resolve(here, data.name || "") === data.file) {
        if (event.type === "test:fail") fileState(file).failed = true;
        return;
    }
    const own = fileState(file);
    if (event.type === "test:enqueue") {
        if (data.nesting === 0) own.queued.push(idOf(file, [data.name]));
        return;
    }
    if (event.type === "test:dequeue") {
        own.stack.length = data.nesting;
        own.stack.push(data.name);
        const id = idOf(file, own.stack);
        own.byPlace.set(place(data), id);
        own.started.add(id);
        say({ running: id });
        return;
    }
    if (event.type !== "test:pass" && event.type !== "test:fail") return;
    own.any = true;
    if (data.details && data.details.type === "suite") {
        own.suites.add(own.byPlace.get(place(data)) || idOf(file, [data.name]));
        return;
    }
    const id = own.byPlace.get(place(data)) || idOf(file, [data.name]);
    const entry = { name: id, outcome: "passed" };
    if (data.skip !== undefined || data.todo !== undefined) entry.outcome = "skipped";
    if (event.type === "test:fail") {
        const error = data.details && data.details.error;
        const cause = error && error.cause !== undefined ? error.cause : error;
        entry.outcome = error && error.failureType === "testCodeFailure" ? "failed" : "error";
        const lines = String(cause && cause.stack || cause && cause.message || cause).split("\n");
        const said = lines.filter((line) => !/^\s+at /.test(line) && line.trim());
        const where = lines.find((line) => line.includes(path.join(here, "suite") + path.sep));
        entry.message = said.slice(0, 12).concat(where ? [where.trim()] : []).join("\n")
            .split(here + path.sep).join("").slice(0, 1500);
        if (failures++ < 20) entry.source = testSource(file, data.line);
        entry.frames = [];
        for (const line of String(cause && cause.stack || "").split("\n")) {
            const frame = /at (?:(.+?) \()?([^()\s]+):(\d+):\d+\)?$/.exec(line.trim());
            if (!frame) continue;
            const where = path.relative(here, frame[2]);
            if (where.startsWith("src" + path.sep)) {
                entry.frames.unshift([where.slice(4), Number(frame[3]), (frame[1] || "<module>").split(".").pop()]);
            } else if (where.startsWith("suite" + path.sep) && entry.line === undefined) {
                const text = fs.readFileSync(frame[2], "utf8").split("\n")[Number(frame[3]) - 1];
                entry.line = (text || "").trim().slice(0, 500);
            }
        }
    }
    // Two tests of one name (a loop of `test("equal", …)`): a failure is never hidden by a later pass.
    const earlier = tests.get(id);
    if (earlier && earlier.outcome !== "passed" && entry.outcome === "passed") return;
    tests.set(id, entry);
}
if (files.length === 0) {
    // Nothing left to run (no file parsed): `node --test` without files would look for tests elsewhere.
    say({ runner: "node --test", exit: errors.length ? 0 : 5, tests: [], errors });
    process.exit(0);
}
const child = spawn(process.execPath, ["--test", "--require", "./preload.js", "--test-reporter=./reporter.mjs",
    "--test-reporter-destination=stdout", "--test-force-exit", ...files], {
    cwd: here, stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, ...(typescript ? { NODE_OPTIONS: "--enable-source-maps" } : {}), ATOMFORGE_TEST_LIMIT_MS: String(limit), ATOMFORGE_HUNG_FILE: path.join(here, "hung.jsonl") },
});
let buffered = "";
child.stdout.on("data", (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try { handle(JSON.parse(line)); } catch { /* not an event: the runner's own output */ }
    }
});
child.on("close", (code, signal) => {
    if (signal) errors.push(`node --test was ended by signal ${signal}`);
    let hung = [];
    try { hung = fs.readFileSync("hung.jsonl", "utf8").trim().split("\n").filter(Boolean).map((l) => source(JSON.parse(l).file)); } catch { /* no test hung */ }
    for (const [file, own] of state) {
        const stopped = hung.includes(file);
        for (const id of own.started) {
            if (tests.has(id) || own.suites.has(id)) continue;
            if (!stopped) {
                // Started and never finished, its file's process gone (the code called process.exit, or crashed).
                if ([...own.started].some((other) => other !== id && other.startsWith(id + " > ") && !tests.has(other))) continue;
                tests.set(id, { name: id, outcome: "error", message: "the test did not finish: its file's process ended while it ran (process.exit, or a crash)" });
                own.ended = id;
                continue;
            }
            // The innermost test started and not finished is the one that ran past its limit; suites around it too.
            if ([...own.started].some((other) => other !== id && other.startsWith(id + " > ") && !tests.has(other))) continue;
            tests.set(id, { name: id, outcome: "failed", message: `the test did not finish within ${limit / 1000} s (suite.test_timeout_s)` });
            own.hung = id;
        }
        for (const id of stopped || own.ended ? own.queued : []) {
            if (!own.started.has(id)) {
                const why = stopped ? `was stopped when ${own.hung || "a test"} ran past its limit` : `ended during ${own.ended}`;
                tests.set(id, { name: id, outcome: "error", message: `not run: its file's process ${why}` });
            }
        }
        if (own.failed && !own.any && !stopped) {
            const said = (stderr.get(file) || "").split("\n").filter((l) => /Error|error/.test(l)).slice(0, 3).join("\n");
            errors.push(path.relative(here, file) + ": " + (said || "the file failed before any test ran"));
        }
    }
    for (const file of files.map((f) => source(path.join(here, f)))) {
        if (!state.has(file) && !errors.some((e) => e.startsWith(path.relative(here, file)))) {
            const said = (stderr.get(file) || "").split("\n").filter((l) => /Error/.test(l)).slice(0, 3).join("\n");
            if (said) errors.push(path.relative(here, file) + ": " + said);
        }
    }
    let list = [...tests.values()];
    if (wanted.size) list = list.filter((t) => wanted.has(t.name));
    say({ runner: "node --test", exit: list.length === 0 && errors.length === 0 ? 5 : (code || 0), tests: list, errors });
    process.exit(0);
});
