const fs = require("fs");
const vm = require("vm");
const crypto = require("crypto");
const token = fs.readFileSync("done-token", "utf8").trim();
fs.unlinkSync("done-token");
const [, , path, name, limitText] = process.argv;
const limit = Number(limitText);
const seeds = JSON.parse(fs.readFileSync("inputs.json", "utf8"));
const out = (text) => fs.writeSync(1, text + "\n");

const digest = (text) => text.length <= 300 ? text
    : text.slice(0, 120) + "…#" + crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);

function canon(value, depth = 0) {
    if (depth > 20) return "…";
    if (value === undefined) return "undefined";
    if (value === null) return "null";
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "number") {
        if (Number.isNaN(value)) return "NaN";
        if (!Number.isFinite(value)) return String(value);
        return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(9)));
    }
    if (typeof value === "bigint") return value.toString() + "n";
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "function") return "function";
    if (Array.isArray(value)) return "[" + value.slice(0, 10000).map((v) => canon(v, depth + 1)).join(",") + "]";
    if (value instanceof Set) return "Set{" + [...value].map((v) => canon(v, depth + 1)).sort().join(",") + "}";
    if (value instanceof Map) {
        return "Map{" + [...value].map(([k, v]) => canon(k, depth + 1) + ":" + canon(v, depth + 1)).sort().join(",") + "}";
    }
    if (typeof value === "object") {
        return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canon(value[k], depth + 1)).join(",") + "}";
    }
    return String(value);
}

function variants(value) {
    if (typeof value === "boolean") return [!value];
    if (typeof value === "number") {
        return Number.isInteger(value) ? [0, 1, -1, value + 1, value * 2, -value] : [0, -value, value * 2, value + 0.5];
    }
    if (typeof value === "string") {
        return ["", value.slice(0, 1), [...value].reverse().join(""), value.toUpperCase(), value + " " + value];
    }
    if (Array.isArray(value)) {
        const found = [[], value.slice(0, 1), [...value].reverse(), value.slice(1), [...value, ...value.slice(0, 1)]];
        if (value.every((v) => typeof v === "number")) {
            found.push([...value].sort((a, b) => a - b), value.map((v) => v * 2 - 1));
        } else if (value.every((v) => typeof v === "string")) {
            found.push([...value].sort());
        }
        return found;
    }
    if (value && typeof value === "object") {
        const entries = Object.entries(value);
        return [{}, Object.fromEntries(entries.slice(0, 1)), Object.fromEntries([...entries].reverse())];
    }
    return [];
}

/// The arguments of a call `name(…)`, made in a context of their own (they see nothing of the program).
function argumentsOf(call) {
    const text = call.trim();
    if (!text.startsWith(name + "(") || !text.endsWith(")")) return null;
    return vm.runInNewContext("[" + text.slice(name.length + 1, -1) + "]", {}, { timeout: 1000 });
}

/// Whether a value is written out by JSON as itself (so a variant of it can be written back as code).
const plain = (value) => {
    try { return JSON.stringify(JSON.parse(JSON.stringify(value))) === JSON.stringify(value) && value !== undefined; }
    catch { return false; }
};

function derive() {
    const inputs = [], seen = new Set(), derived = [];
    const add = (call) => {
        if (!seen.has(call) && inputs.length < limit && call.length <= 2000) { seen.add(call); inputs.push(call); }
    };
    for (const seed of seeds) {
        let values;
        try { values = argumentsOf(seed); } catch { continue; }
        if (!values) continue;
        add(seed.trim());
        if (!values.every(plain)) continue;
        const perSeed = [];
        values.forEach((value, position) => {
            for (const variant of variants(value)) {
                const changed = [...values];
                changed[position] = variant;
                perSeed.push(name + "(" + changed.map((v) => JSON.stringify(v)).join(", ") + ")");
            }
        });
        derived.push(perSeed);
    }
    const longest = Math.max(0, ...derived.map((d) => d.length));
    for (let i = 0; i < longest; i++) for (const d of derived) if (i < d.length) add(d[i]);
    return inputs;
}

async function main() {
    const inputs = derive();
    let printed = "";
    const capture = (...parts) => { printed += parts.map(String).join(" ") + "\n"; };
    for (const method of ["log", "info", "warn", "error", "debug"]) console[method] = capture;
    process.stdout.write = (chunk) => { printed += String(chunk); return true; };
    let target;
    // What a CommonJS file expects (TypeScript transpiled from a file with imports writes to `exports`).
    globalThis.require = require;
    globalThis.module = { exports: {} };
    globalThis.exports = globalThis.module.exports;
    try {
        vm.runInThisContext(fs.readFileSync(path, "utf8"), { filename: path, timeout: 5000 });
        target = vm.runInThisContext(`typeof ${name} === "function" ? ${name} : undefined`);
        if (typeof target !== "function") throw new Error("not defined");
    } catch (error) {
        out(token + JSON.stringify({ error: String(error && error.name || "Error") }));
        process.exit(0);
    }
    globalThis.__atomforgeTarget = target;
    const started = Date.now();
    const outputs = [];
    for (const call of inputs) {
        if (Date.now() - started > 8000) { outputs.push("skipped"); continue; }
        printed = "";
        let shown;
        try {
            globalThis.__atomforgeArguments = argumentsOf(call);
            let value = vm.runInThisContext("__atomforgeTarget(...__atomforgeArguments)", { timeout: 1000 });
            if (value && typeof value.then === "function") {
                value = await Promise.race([
                    value, new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 1000)),
                ]);
            }
            shown = canon(value);
            if (value === undefined) shown += " after " + canon(globalThis.__atomforgeArguments);
            if (printed) shown += " printing " + JSON.stringify(printed);
        } catch (error) {
            const kind = error && (error.code === "ERR_SCRIPT_EXECUTION_TIMEOUT" || error.message === "timeout");
            shown = kind ? "timeout" : "raise " + String(error && error.name || "Error");
        }
        outputs.push(digest(shown));
    }
    // The values the model expected, written as outputs are (made in a context of their own).
    let written = {};
    try { written = JSON.parse(fs.readFileSync("expected.json", "utf8")); } catch { written = {}; }
    const expected = inputs.map((call) => {
        if (!Object.prototype.hasOwnProperty.call(written, call)) return null;
        try { return digest(canon(vm.runInNewContext("(" + written[call] + ")", {}, { timeout: 1000 }))); }
        catch { return null; }
    });
    out(token + JSON.stringify({ inputs: inputs.map(digest), outputs, expected }));
    process.exit(0);
}

main();
