/// The Python program that runs an atom's tests and turns a failure into something a model can act on: the failing
/// assertion in its context (which section, which line), the values of both sides of a failing comparison, and the
/// last calls of the traceback, instead of a raw traceback.
enum TestHarness {
    static let python = #"""
        import ast, sys, traceback

        path, atom_start, tests_start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        source = open(path, encoding="utf-8").read()
        lines = source.splitlines()

        def where(lineno):
            if lineno >= tests_start:
                return f"tests line {lineno - tests_start + 1}"
            if lineno >= atom_start:
                return f"your code line {lineno - atom_start + 1}"
            return f"dependency code line {lineno}"

        def compared_values(line, namespace):
            try:
                for node in ast.parse(line).body:
                    if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1:
                        left = eval(compile(ast.Expression(node.test.left), "<left>", "eval"), namespace)
                        right = eval(compile(ast.Expression(node.test.comparators[0]), "<right>", "eval"), namespace)
                        return (f"\n  got:      {left!r}   (the value of {ast.unparse(node.test.left)})"
                                f"\n  expected: {right!r}")
            except BaseException:
                pass
            return ""

        namespace = {"__name__": "__main__"}
        try:
            exec(compile(source, path, "exec"), namespace)
        except SystemExit as exit:
            if exit.code not in (None, 0):
                print(f"the program exited with status {exit.code}")
                sys.exit(1)
        except BaseException as error:
            frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == path]
            if not frames:
                print(f"{type(error).__name__}: {error}")
                sys.exit(1)
            frame = frames[-1]
            line = lines[frame.lineno - 1].strip()
            if isinstance(error, AssertionError) and frame.lineno >= tests_start:
                message = f"test failed at {where(frame.lineno)}: {line}" + compared_values(line, namespace)
                if str(error):
                    message += f"\n  message: {error}"
            else:
                message = f"{type(error).__name__}: {error}\n  at {where(frame.lineno)}: {line}"
            if len(frames) > 1:
                message += "\n  called from: " + " <- ".join(
                    f"{where(f.lineno)}: {lines[f.lineno - 1].strip()}" for f in reversed(frames[-4:-1]))
            print(message)
            sys.exit(1)
        """#
}
