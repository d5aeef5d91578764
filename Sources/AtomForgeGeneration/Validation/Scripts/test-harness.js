const fs = require("fs");
const token = fs.readFileSync("done-token", "utf8").trim();
fs.unlinkSync("done-token");
const [atomStart, testsStart, atomEnd, classStart, offset] = process.argv.slice(2, 7).map(Number);
// The source the places are in: program.js, or the TypeScript it was made from (node maps them back).
const lines = fs.readFileSync(process.argv[7] || "program.js", "utf8").split("\n");
// Bound now, before any of the program runs: code that replaced fs.writeSync would see the token in a report.
const writeSync = fs.writeSync;
const write = (text) => writeSync(1, text + "\n");
const where = (n) => n >= testsStart ? `tests line ${n - testsStart + 1}`
    : n >= atomStart && n < (atomEnd || testsStart) ? `your code line ${n - atomStart + 1 + (offset || 0)}`
    : n >= (classStart || atomStart) ? `class code line ${n - (classStart || atomStart) + 1}`
    : `dependency code line ${n}`;
Object.defineProperty(console, "assert", {
    writable: false, configurable: false,
    value: (condition, ...message) => {
        if (!condition) throw new Error("Assertion failed" + (message.length ? ": " + message.join(" ") : ""));
    },
});
const explain = (error) => {
    const stack = String(error && error.stack || error);
    const places = [...stack.matchAll(/program\.[jt]s:(\d+)/g)].map((m) => Number(m[1]));
    let message = (error && error.message !== undefined)
        ? `${error.name || "Error"}: ${error.message}` : `thrown: ${String(error)}`;
    if (places.length) message += `\n  at ${where(places[0])}: ${lines[places[0] - 1].trim()}`;
    const test = places.find((n) => n >= testsStart);
    if (test !== undefined && test !== places[0]) message += `\n  called from ${where(test)}: ${lines[test - 1].trim()}`;
    return message;
};
// The kind of a failure, as the retry ladder routes it (AtomForge's FailureKind): said here, where the error is.
const kindOf = (error) => {
    const name = error && error.name;
    if (name === "AssertionError" || (name === "Error" && /^Assertion failed/.test(String(error.message)))) {
        return "assertion";
    }
    return new Map([["ReferenceError", "name"], ["TypeError", "type"], ["SyntaxError", "syntax"]]).get(name)
        || "exception";
};
// A report starts with a line naming its kind, so that what the program printed never hides it.
const report = (error) => {
    write(`${token}:report:${kindOf(error)}\n${explain(error)}`);
    process.exitCode = 1;
};
process.on("uncaughtException", (error) => { report(error); process.exit(1); });
process.on("unhandledRejection", (error) => { report(error); process.exit(1); });
// The token is printed only once the tests have run to their end: a test awaiting a promise that never
// settles empties the event loop too, and is reported instead.
let finished = false, testsDone = false, running = null;
process.on("beforeExit", () => {
    if (finished || process.exitCode === 1) return;
    finished = true;
    if (testsDone) { write(token); return; }
    write(`${token}:report:exception\nthe test ${JSON.stringify(running)} never finished: it waits on a promise that never settles`);
    process.exitCode = 1;
});
// Tests in the shape node:test and the usual runners write: `test("name", fn)` (or `it`, inside
// `describe` blocks too), a callback test taking `done`; each run and each failure reported;
// `function test…()` declarations are handed over the same way.
const tests = [];
const prefix = [];
globalThis.test = globalThis.it = (name, fn) => { tests.push([[...prefix, String(name)].join(" › "), fn]); };
globalThis.describe = (name, body) => { prefix.push(String(name)); try { body(); } finally { prefix.pop(); } };
globalThis.__atomforgeTest = (fn) => { tests.push([fn.name, fn]); };
require("./program.js");
(async () => {
    const failures = [], errors = [];
    for (const [name, fn] of tests) {
        running = name;
        try {
            if (fn.length > 0) {
                await new Promise((resolve, reject) => fn((error) => (error ? reject(error) : resolve())));
            } else {
                await fn();
            }
        } catch (error) {
            failures.push(`- ${name}: ` + explain(error).replace(/\n/g, "\n  "));
            errors.push(error);
        }
    }
    testsDone = true;
    if (failures.length) {
        write(`${token}:report:${kindOf(errors[0])}\n${failures.length} of ${tests.length} tests failed:\n`
            + failures.join("\n"));
        process.exitCode = 1;
    }
})();
