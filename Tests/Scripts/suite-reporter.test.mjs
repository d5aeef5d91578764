// The suite's reporter (Suite/Scripts/suite-reporter.mjs), fed events as node --test hands them: each one a line of
// JSON, with an error reduced to its message and stack (an Error's own fields do not survive JSON.stringify).
import { test } from "node:test";
import assert from "node:assert";
import report from "../../Sources/AtomForgeGeneration/Suite/Scripts/suite-reporter.mjs";

async function lines(events) {
    async function* source() { yield* events; }
    const out = [];
    for await (const line of report(source())) out.push(line);
    return out;
}

test("each event is one line of JSON with the fields the driver reads", async () => {
    const out = await lines([
        { type: "test:pass", data: { name: "adds", nesting: 0, file: "/s/test_x.js", line: 3, column: 1 } },
    ]);
    assert.strictEqual(out.length, 1);
    assert.ok(out[0].endsWith("\n"));
    const event = JSON.parse(out[0]);
    assert.deepStrictEqual(event.type, "test:pass");
    assert.strictEqual(event.data.name, "adds");
    assert.strictEqual(event.data.line, 3);
});

test("a failure keeps its cause's message and stack", async () => {
    const cause = new Error("expected 5, got 4");
    const [line] = await lines([
        { type: "test:fail", data: { name: "adds", details: { type: "test", error: { failureType: "testCodeFailure", cause } } } },
    ]);
    const error = JSON.parse(line).data.details.error;
    assert.strictEqual(error.failureType, "testCodeFailure");
    assert.strictEqual(error.cause.message, "expected 5, got 4");
    assert.match(error.cause.stack, /expected 5, got 4/);
});

test("a thrown value that is not an object is kept as text", async () => {
    const [line] = await lines([
        { type: "test:fail", data: { name: "t", details: { error: { failureType: "x", cause: 42 } } } },
    ]);
    assert.deepStrictEqual(JSON.parse(line).data.details.error.cause, { message: "42", stack: "42" });
});
