import ast, importlib, json, os, sys, traceback

def main():
    with open("done-token", encoding="utf-8") as handle:
        token = handle.read().strip()
    os.unlink("done-token")
    report = os.fdopen(os.dup(1), "w")
    with open("tree.json", encoding="utf-8") as handle:
        tree = json.load(handle)
    root = os.path.abspath("src")
    for path, text in tree.items():
        target = os.path.join(root, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
    sys.path.insert(0, root)
    sys.stdout = open(os.devnull, "w")
    results = {}
    for path in sorted(tree):
        # A function or class defined twice at the top of a file: the later one silently replaces the
        # earlier, so one atom's code is not what runs.
        try:
            body = ast.parse(tree[path]).body
        except SyntaxError:
            body = []
        first = {}
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if node.name in first:
                    results[path] = {
                        "error": f"`{node.name}` is defined twice (lines {first[node.name]} and {node.lineno}): "
                                 "the later definition replaces the earlier one",
                        "place": [path, node.lineno, "<module>"], "symbol": node.name}
                    break
                first[node.name] = node.lineno
        if path in results:
            continue
        name = path[:-3].replace("/", ".")
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        try:
            importlib.import_module(name)
            continue
        except BaseException as error:
            place = None
            if isinstance(error, SyntaxError) and error.filename and error.filename.startswith(root):
                place = [os.path.relpath(error.filename, root), error.lineno or 0, "<module>"]
            for frame in traceback.extract_tb(error.__traceback__):
                if frame.filename.startswith(root + os.sep):
                    place = [os.path.relpath(frame.filename, root), frame.lineno or 0, frame.name]
            message = f"{type(error).__name__}: {error}"
            results[path] = {"error": message[:500], "place": place}
    report.write(token + json.dumps(results) + "\n")
    report.flush()
    os._exit(0)

main()
