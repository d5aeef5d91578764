import contextlib, io, json, os, sys, traceback, warnings
answers = sys.stdout
compiled = {}
LIMIT = 1 << 20
for line in sys.stdin:
    request = json.loads(line)
    names = [name for name in request["files"] if name and "/" not in name and name not in (".", "..")]
    for name in names:
        with open(name, "w", encoding="utf-8") as handle:
            handle.write(request["files"][name])
    output = io.StringIO()
    status = 0
    try:
        code = compiled.get(request["script"])
        if code is None:
            code = compiled.setdefault(request["script"], compile(request["script"], "<string>", "exec"))
        with warnings.catch_warnings(), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            if request.get("ignore_warnings"):
                warnings.simplefilter("ignore")
            sys.argv = ["-c"] + request["argv"]
            try:
                exec(code, {"__name__": "__main__", "__builtins__": __builtins__})
            except SystemExit as end:
                if end.code is None:
                    status = 0
                elif isinstance(end.code, int):
                    status = end.code & 0xFF
                else:
                    print(end.code, file=sys.stderr)
                    status = 1
            except BaseException:
                traceback.print_exc()
                status = 1
    except BaseException:
        status = 1
    finally:
        for name in names:
            with contextlib.suppress(OSError):
                os.remove(name)
    answers.write(json.dumps({"id": request["id"], "exit": status, "output": output.getvalue()[:LIMIT]}) + "\n")
    answers.flush()
