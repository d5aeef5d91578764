import json, os, re, secrets, subprocess, sys

# One top-level test function: `func testName()`, perhaps `async`, perhaps `throws`.
TEST = re.compile(r"^func\s+(test\w*)\s*\(\s*\)\s*((?:async\s*)?(?:throws\s*)?)(?:->\s*Void\s*)?\{", re.M)
# A frame of Swift's backtrace: `3 [ra] 0x… inner(_:) + 111 in program at src/math.swift:3:13`.
FRAME = re.compile(r"^\s*\d+\s+(?:\[\w+\]\s+)?0x[0-9a-f]+\s+(.+?) \+ \d+ in \S+ at (\S+?):(\d+):\d+")
FATAL = re.compile(r"^.*(?:Fatal error|Precondition failed|Assertion failed).*$", re.M)


def main():
    with open("done-token", encoding="utf-8") as handle:
        token = handle.read().strip()
    os.unlink("done-token")
    with open("suite.json", encoding="utf-8") as handle:
        payload = json.load(handle)
    here = os.getcwd()
    say = lambda object: (sys.stdout.write(token + json.dumps(object) + "\n"), sys.stdout.flush())
    sources = []
    for folder, files in (("src", payload["tree"]), ("suite", payload["suite"])):
        for path, text in files.items():
            if folder == "src" and os.path.basename(path) == "main.swift":
                continue  # the suite's program has its own entry point
            target = os.path.join(here, folder, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
            sources.append(os.path.join(folder, path))
    limit = float(payload.get("test_timeout") or 10)
    wanted = set(payload.get("only") or [])
    user_main = "main.swift" in payload["suite"]
    tests = []
    if user_main:
        tests.append(("suite/main.swift::main", None, ""))
    else:
        for name, text in sorted(payload["suite"].items()):
            for match in TEST.finditer(text):
                tests.append(("suite/%s::%s" % (name, match.group(1)), match.group(1), match.group(2)))
        calls = []
        returned = "atomforge-test-returned-" + secrets.token_hex(16)
        for _, function, effects in tests:
            call = ("try " if "throws" in effects else "") + ("await " if "async" in effects else "") + function + "()"
            if "throws" in effects:
                call = "do { %s } catch { fatalError(\"error thrown: \\(error)\") }" % call
            # A test passed only if it returned: its line is printed after it (an exit(0) in the code never prints it).
            calls.append("case \"%s\": %s; print(\"%s\")" % (function, call, returned))
        with open("main.swift", "w", encoding="utf-8") as handle:
            handle.write("switch CommandLine.arguments.dropFirst().first ?? \"\" {\n%s\ndefault: break\n}\n"
                         % "\n".join(calls))
        sources.append("main.swift")
    if not tests:
        say({"runner": "the Swift suite", "exit": 5, "tests": [], "errors": []})
        return
    built = subprocess.run(["swiftc", "-g", "-Onone", "-module-name", "SuiteTests", "-o", "suite-program"] + sources,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if built.returncode != 0:
        errors = [line for line in built.stdout.splitlines() if ": error: " in line][:3]
        say({"runner": "the Swift suite", "exit": 2, "tests": [],
             "errors": ["the suite does not compile with the tree: " + ("\n".join(errors) or built.stdout[-800:])]})
        return
    results = []
    environment = dict(os.environ, SWIFT_BACKTRACE="enable=yes,color=no,interactive=no,registers=none,images=none")
    failures = 0
    for test_id, function, _ in tests:
        if wanted and test_id not in wanted:
            continue
        say({"running": test_id})
        try:
            run = subprocess.run(["./suite-program"] + ([function] if function else []), stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, errors="replace", timeout=limit,
                                 env=environment)
        except subprocess.TimeoutExpired:
            results.append({"name": test_id, "outcome": "failed",
                            "message": "the test did not finish within %g s (suite.test_timeout_s)" % limit})
            continue
        if run.returncode == 0 and (function is None or returned in run.stdout):
            results.append({"name": test_id, "outcome": "passed"})
            continue
        if run.returncode == 0:
            results.append({"name": test_id, "outcome": "failed",
                            "message": "the program ended (exit status 0) before the test returned: the code must not "
                                       "exit the program"})
            continue
        output = run.stdout[-20000:]
        fatal = FATAL.search(output)
        frames, line = [], None
        for text in output.splitlines():
            frame = FRAME.match(text)
            if not frame:
                continue
            path, number = frame.group(2), int(frame.group(3))
            if os.path.isabs(path):
                path = os.path.relpath(path, here)
            function_name = re.sub(r"\(.*", "", frame.group(1)).split(" ")[-1]
            if path.startswith("src/"):
                frames.insert(0, [path[4:], number, function_name])
            elif path.startswith("suite/") and line is None:
                try:
                    with open(os.path.join(here, path), encoding="utf-8") as handle:
                        line = handle.read().splitlines()[number - 1].strip()[:500]
                except Exception:
                    pass
        said = fatal.group(0).replace("SuiteTests/", "") if fatal else None
        entry = {"name": test_id, "outcome": "failed",
                 "message": (said or "the test ended with status %d" % run.returncode)[:1500],
                 "frames": frames[-20:], "line": line}
        if failures < 20 and function:
            entry["source"] = source_of(payload["suite"], test_id, function)
        failures += 1
        results.append(entry)
    say({"runner": "the Swift suite", "exit": 0 if all(r["outcome"] == "passed" for r in results) else 1,
         "tests": results, "errors": []})


def source_of(suite, test_id, function):
    """The test function's text: from its `func` line to where its braces close (40 lines at most)."""
    name = test_id.split("::")[0][len("suite/"):]
    lines = suite.get(name, "").splitlines()
    for index, text in enumerate(lines):
        if re.match(r"^func\s+%s\s*\(" % re.escape(function), text):
            kept, depth = [], 0
            for body in lines[index:index + 40]:
                kept.append(body)
                depth += body.count("{") - body.count("}")
                if depth <= 0 and "{" in "".join(kept):
                    break
            return "\n".join(kept)[:2000]
    return None


main()
