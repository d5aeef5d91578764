/// The programs that run an atom's tests and turn a failure into something a model can act on: the failing
/// assertion in its context (which section, which line), the values of both sides of a failing comparison looked up
/// in the frame that failed (a helper the tests call included), and for an exception the call that raised it with
/// its arguments, instead of a raw traceback.
///
/// Each harness also proves that the tests ran to their end: it prints a token (read from a file it deletes before
/// any of the program runs) after the last test, and puts the same token in front of its report of a failure, so
/// that what the program printed never hides the report. Code that exits early (`sys.exit(0)`,
/// `os._exit(0)`, `process.exit(0)`, `exit(0)`) never reaches that line, so it cannot pass by skipping the tests.
/// The token is a guard against accidents and shortcuts; the sandbox is what contains hostile code.
enum TestHarness {
    /// The file the token is written to, in the scratch folder; the harness removes it before the program runs.
    static let tokenFile = "done-token"
    /// The file holding the names the plan's other atoms define, one a line (``ValidationSubject/knownNames``).
    static let knownNamesFile = "known-names"

    static let python = #"""
        import ast, inspect, os, signal, sys, traceback

        def main():
            # Everything is local to main(): nothing of the harness sits in the namespace the program runs in.
            path, atom_start, tests_start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            atom_end = int(sys.argv[4]) if len(sys.argv) > 4 else tests_start
            # A method runs inside its class: where the class starts, and how many lines of the method's code (its
            # imports, hoisted above the class) come before its first line in the program.
            class_start = int(sys.argv[5]) if len(sys.argv) > 5 else atom_start
            offset = int(sys.argv[6]) if len(sys.argv) > 6 else 0
            with open("done-token", encoding="utf-8") as handle:
                token = handle.read().strip()
            os.unlink("done-token")
            known = set()
            if os.path.exists("known-names"):
                with open("known-names", encoding="utf-8") as handle:
                    known = set(handle.read().split())
                os.unlink("known-names")
            report = os.fdopen(os.dup(1), "w")  # the harness's own output, apart from the program's
            source = open(path, encoding="utf-8").read()
            lines = source.splitlines()

            def where(lineno):
                if lineno >= tests_start:
                    return f"tests line {lineno - tests_start + 1}"
                if atom_start <= lineno < atom_end:
                    return f"your code line {lineno - atom_start + 1 + offset}"
                if lineno >= class_start:
                    return f"class code line {lineno - class_start + 1}"
                return f"dependency code line {lineno}"

            def text(first, last=None):
                chunk = lines[first - 1:(last or first)]
                return " ".join(part.strip() for part in chunk)

            def short(value):
                try:
                    shown = repr(value)
                except BaseException:
                    shown = f"<{type(value).__name__}>"
                return shown if len(shown) <= 300 else shown[:300] + "…"

            def evaluate(node, frame):
                namespace = dict(frame.f_globals)
                namespace.update(frame.f_locals)
                return eval(compile(ast.Expression(node), "<value>", "eval"), namespace)

            def values(statement, frame):
                """Both sides of a failing comparison, evaluated again in the frame that failed (within 2 s)."""
                def out_of_time(signum, frame):
                    raise TimeoutError()
                signal.signal(signal.SIGALRM, out_of_time)
                signal.alarm(2)
                try:
                    node = ast.parse(statement.strip()).body[0]
                    if not isinstance(node, ast.Assert):
                        return ""
                    test = node.test
                    if isinstance(test, ast.Compare) and len(test.ops) == 1:
                        left, right = evaluate(test.left, frame), evaluate(test.comparators[0], frame)
                        if isinstance(test.ops[0], ast.Eq) and left == right:
                            # Evaluated again it holds: it changes state (a pop, a next), so these values are not
                            # the ones that failed.
                            return "\n  (evaluated again the comparison holds: the expression changes state)"
                        return (f"\n  got:      {short(left)}   (the value of {ast.unparse(test.left)})"
                                f"\n  expected: {short(right)}")
                    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                        test = test.operand
                    if isinstance(test, ast.Call) and test.args:
                        shown = [f"{ast.unparse(arg)} = {short(evaluate(arg, frame))}" for arg in test.args[:3]]
                        return "\n  with: " + "; ".join(shown)
                    return f"\n  got: {short(evaluate(test, frame))}   (the value of {ast.unparse(test)})"
                except BaseException:
                    return ""
                finally:
                    signal.alarm(0)

            def call_of(frame):
                """`name(arg=value, ...)` for the function running in `frame`."""
                try:
                    info = inspect.getargvalues(frame)
                    parts = [f"{name}={short(info.locals[name])}" for name in info.args if name in info.locals]
                    if info.varargs and info.varargs in info.locals:
                        parts += [short(arg) for arg in info.locals[info.varargs]]
                    return f"{frame.f_code.co_name}({', '.join(parts)})"
                except BaseException:
                    return frame.f_code.co_name

            def frames_of(error):
                found, tb = [], error.__traceback__
                while tb is not None:
                    if tb.tb_frame.f_code.co_filename == path:
                        found.append((tb.tb_frame, tb.tb_lineno))
                    tb = tb.tb_next
                return found

            def flush_program_output():
                for stream in (sys.stdout, sys.stderr):
                    try:
                        stream.flush()
                    except BaseException:
                        pass

            def fail(message):
                # After a marker line, so that what the program printed never hides the report.
                flush_program_output()
                report.write(f"{token}:report\n{message}\n")
                report.flush()
                os._exit(1)

            def describe(error):
                """What went wrong, for the retry prompt: the failing assertion with its values, or the error with
                the call that raised it."""
                frames = frames_of(error)
                if isinstance(error, SystemExit):
                    place = f" at {where(frames[-1][1])}: {text(frames[-1][1])}" if frames else ""
                    return (f"the program called sys.exit({error.code!r}){place} before its tests ran to the end; "
                            "the code must not exit")
                if not frames:
                    return f"{type(error).__name__}: {error}"
                frame, lineno = frames[-1]
                summary = traceback.extract_tb(error.__traceback__)[-1]
                last = summary.end_lineno if summary.filename == path and summary.lineno == lineno else None
                statement = text(lineno, last)
                if isinstance(error, AssertionError) and lineno >= tests_start:
                    message = f"test failed at {where(lineno)}: {statement}" + values(statement, frame)
                    if str(error):
                        message += f"\n  message: {error}"
                    callers = [f for f in frames[:-1] if f[1] >= tests_start]
                    if callers:
                        message += f"\n  called from {where(callers[-1][1])}: {text(callers[-1][1])}"
                    return message
                message = f"{type(error).__name__}: {error}\n  at {where(lineno)}: {statement}"
                # The innermost named function of the code (not a comprehension or lambda inside it).
                inner = [f for f in frames if f[1] < tests_start and not f[0].f_code.co_name.startswith("<")]
                if inner:
                    message += f"\n  in the call {call_of(inner[-1][0])}"
                tests = [f for f in frames if f[1] >= tests_start]
                if tests and tests[-1] is not frames[-1]:
                    message += f"\n  called from {where(tests[-1][1])}: {text(tests[-1][1])}"
                return message

            def in_tests(function):
                code = inspect.unwrap(function).__code__
                return code.co_filename == path and code.co_firstlineno >= tests_start

            def called_by_the_tests():
                """The functions the tests call themselves at their top level (`test_push()`, also under
                `if __name__ == "__main__":`): they run there, not a second time."""
                try:
                    tree = ast.parse(source)
                except SyntaxError:
                    return set()
                statements = [n for n in tree.body if n.lineno >= tests_start]
                statements += [s for n in statements if isinstance(n, ast.If) for s in n.body]
                return {n.value.func.id for n in statements if isinstance(n, ast.Expr)
                        and isinstance(n.value, ast.Call) and isinstance(n.value.func, ast.Name)}

            def takes_arguments(function):
                if function is not inspect.unwrap(function):
                    return False  # a decorator (mock.patch) supplies what it takes
                return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                           for p in inspect.signature(function).parameters.values())

            def discovered(namespace):
                """The tests in the shapes people write besides plain statements: `def test_…()` functions (async
                ones too) and the `test…` methods of `unittest.TestCase` classes, in the order they are written."""
                found = []
                case = sys.modules.get("unittest")
                called = called_by_the_tests()
                for name, value in list(namespace.items()):
                    if (inspect.isfunction(value) and name.startswith("test") and name not in called
                            and in_tests(value) and not takes_arguments(value)):
                        found.append((inspect.unwrap(value).__code__.co_firstlineno, name, value))
                    elif (case is not None and isinstance(value, type) and issubclass(value, case.TestCase)
                            and value.__module__ == "__main__"):
                        methods = [m for m in dir(value) if m.startswith("test")
                                   and inspect.isfunction(getattr(value, m, None)) and in_tests(getattr(value, m))]
                        methods.sort(key=lambda m: inspect.unwrap(getattr(value, m)).__code__.co_firstlineno)
                        if methods:
                            line = inspect.unwrap(getattr(value, methods[0])).__code__.co_firstlineno
                            found.append((line, name, (value, methods)))
                return [(name, run) for _, name, run in sorted(found, key=lambda item: item[0])]

            def run_function(function):
                result = function()
                if inspect.isawaitable(result):
                    import asyncio
                    async def wait():
                        return await result
                    asyncio.run(wait())

            def run_case(cls, methods):
                """A TestCase class's tests through unittest itself (setUpClass, setUp, subTest, asyncSetUp and
                cleanups as unittest runs them), each error or failure kept with its test."""
                unittest = sys.modules["unittest"]
                problems = []

                class Collect(unittest.TestResult):
                    def addError(self, test, err):
                        problems.append((test, err[1]))

                    def addFailure(self, test, err):
                        problems.append((test, err[1]))

                    def addSubTest(self, test, subtest, err):
                        if err is not None:
                            problems.append((subtest, err[1]))

                unittest.TestSuite(cls(m) for m in methods).run(Collect())

                def label(test):
                    named = getattr(test, "id", None)
                    return (named() if named else str(test)).replace("__main__.", "")
                return [(label(test), error) for test, error in problems]

            def undefined_names(namespace, program):
                """Names the atom's functions read as globals that neither the program nor Python's builtins define,
                each with the first line that reads it: a NameError waiting for the first call to reach that line,
                which tests that never reach it (or no tests at all) would let pass."""
                import builtins, dis, symtable
                if "NameError" in "\n".join(lines[atom_start - 1:atom_end - 1]):
                    return []  # the code expects a name to be missing
                # Names made where no compiler sees them: too dynamic to call any name missing.
                if any(word in source for word in ("globals()", "exec(", "sys.modules", "__builtins__", "import *")):
                    return []
                # Bound anywhere at the program's top level (in any branch: an import that may fail, a definition
                # under a condition) or by a `global` statement in any function: maybe missing, never undefined.
                stored = set(known)
                try:
                    top = symtable.symtable(source, path, "exec")
                    stored |= {s.get_name() for s in top.get_symbols()
                               if s.is_assigned() or s.is_imported() or s.is_namespace()}
                    tables = list(top.get_children())
                    while tables:
                        table = tables.pop()
                        stored |= {s.get_name() for s in table.get_symbols()
                                   if s.is_declared_global() and s.is_assigned()}
                        tables += table.get_children()
                except Exception:
                    return []
                found = {}

                def walk(code, inside):
                    inside = inside or atom_start <= code.co_firstlineno < atom_end
                    if inside and code.co_name != "<module>":
                        line = code.co_firstlineno
                        for instruction in dis.get_instructions(code):
                            positions = getattr(instruction, "positions", None)
                            line = (positions.lineno if positions and positions.lineno else None) or line
                            if instruction.opname == "LOAD_GLOBAL":
                                found.setdefault(instruction.argval, (line, code.co_name))
                            elif instruction.opname in ("STORE_GLOBAL", "DELETE_GLOBAL"):
                                stored.add(instruction.argval)
                    for constant in code.co_consts:
                        if inspect.iscode(constant):
                            walk(constant, inside)

                walk(program, False)
                return [(name, line, owner) for name, (line, owner) in sorted(found.items(), key=lambda f: f[1][0])
                        if name not in namespace and name not in vars(builtins) and name not in stored
                        and not (name.startswith("__") and name.endswith("__"))]

            if "unittest" in source:
                # `unittest.main()` at the end of the tests would run them its own way and exit: the harness runs
                # them instead, each failure reported.
                import unittest
                unittest.main = lambda *args, **kwargs: None
            namespace = {"__name__": "__main__"}
            program = None
            try:
                program = compile(source, path, "exec")
                exec(program, namespace)
            except BaseException as error:
                fail(describe(error))
            failures, count = [], 0
            for name, run in discovered(namespace):
                if isinstance(run, tuple):
                    count += len(run[1])
                    problems = run_case(*run)
                else:
                    count += 1
                    problems = []
                    try:
                        run_function(run)
                    except BaseException as error:
                        problems = [(name, error)]
                failures += [f"- {label}: " + describe(error).replace("\n", "\n  ") for label, error in problems]
            if failures:
                fail(f"{len(failures)} of {max(count, len(failures))} tests failed:\n" + "\n".join(failures))
            missing = undefined_names(namespace, program)
            if missing:
                fail("\n".join(f"NameError waiting: {owner}() reads `{name}` at {where(line)}: {text(line)}\n"
                               f"  but nothing defines `{name}` (not the code, its dependencies, an import or a "
                               "builtin): calling it raises NameError; define or import it, or use the name the code "
                               "has" for name, line, owner in missing[:5]))
            flush_program_output()
            report.write(token + "\n")
            report.flush()

        main()
        """#

    /// Runs `program.js` for its tests: `console.assert` throws (in Node it only prints, so a failing test would
    /// pass), an uncaught error is reported with its place in the program, and the token is printed only when the
    /// event loop empties by itself (`process.exit` skips it).
    static let javascript = #"""
        const fs = require("fs");
        const token = fs.readFileSync("done-token", "utf8").trim();
        fs.unlinkSync("done-token");
        const [atomStart, testsStart, atomEnd, classStart, offset] = process.argv.slice(2, 7).map(Number);
        // The source the places are in: program.js, or the TypeScript it was made from (node maps them back).
        const lines = fs.readFileSync(process.argv[7] || "program.js", "utf8").split("\n");
        const write = (text) => fs.writeSync(1, text + "\n");
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
        const report = (error) => {
            write(`${token}:report\n${explain(error)}`);
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
            write(`${token}:report\nthe test ${JSON.stringify(running)} never finished: it waits on a promise that never settles`);
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
            const failures = [];
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
                }
            }
            testsDone = true;
            if (failures.length) {
                write(`${token}:report\n${failures.length} of ${tests.length} tests failed:\n` + failures.join("\n"));
                process.exitCode = 1;
            }
        })();
        """#

    /// Appended to a Swift test program: `__atomforgeExpectEqual` is what `assert(a == b)` lines of the tests are
    /// rewritten into, so that a failure shows both values, not only `Assertion failed`.
    static let swiftSupport = #"""

        import Glibc

        @inline(never)
        func __atomforgeExpectEqual<T: Equatable>(
            _ got: @autoclosure () throws -> T, _ expected: @autoclosure () throws -> T, _ place: String
        ) rethrows {
            let (left, right) = (try got(), try expected())
            if left != right {
                print("test failed at \(place)\n  got:      \(String(reflecting: left))\n  expected: \(String(reflecting: right))")
                exit(1)
            }
        }
        """#
}
