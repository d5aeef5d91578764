import _thread, ast, inspect, os, signal, sys, traceback, types


# Modules that read or write the process's memory: never imported while the tests run.
MEMORY_MODULES = frozenset(("ctypes", "_ctypes", "cffi", "_cffi_backend", "_testcapi", "_testinternalcapi",
                            "_testbuffer", "_testmultiphase", "_testsinglephase", "_testimportmultiple",
                            "_testclinic", "_ctypes_test", "_xxsubinterpreters", "_xxinterpchannels", "_xxtestfuzz"))


def guard(strict, loading, spawning):
    """The audit hook the harness installs before any of the program runs (hooks cannot be removed).

    While `strict[0]` (until the verdict) nothing may obtain a frame: that is the only way from the code to the
    harness's own locals (the token, the failures found so far). For the whole run the code may not read the process's
    memory (ctypes, cffi, the C test modules, /proc/<pid>/mem, bytecode it made itself), fork a copy of the harness or
    add a hook. `loading[0]`: while the harness imports what the program will (before any of it runs), bytecode may
    be loaded from the caches. `spawning`: whether programs may be started (only when the kernel keeps them out of
    this process's memory). It reads only its own closure (no globals, no builtins: the code can change those) and
    never calls the code."""
    frame_events = frozenset(("sys._getframe", "sys._current_frames", "sys._current_exceptions", "sys.settrace",
                              "sys.setprofile", "gc.get_objects", "gc.get_referrers", "gc.get_referents"))
    frame_attributes = frozenset(("tb_frame", "gi_frame", "cr_frame", "ag_frame"))
    memory_modules = MEMORY_MODULES
    refused = frozenset(("code.__new__", "marshal.load", "marshal.loads", "os.fork", "os.forkpty",
                         "sys.addaudithook", "sqlite3.enable_load_extension", "sqlite3.load_extension",
                         # ctypes cannot be imported; these are for a process that had it loaded before
                         "ctypes.addressof", "ctypes.call_function", "ctypes.cdata", "ctypes.cdata/buffer",
                         "ctypes.create_string_buffer", "ctypes.create_unicode_buffer", "ctypes.dlopen",
                         "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.get_errno", "ctypes.set_errno",
                         "ctypes.string_at", "ctypes.wstring_at", "ctypes.PyObj_FromPtr",
                         "ctypes.set_exception"))
    starting = frozenset(("subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn"))
    paths = frozenset(("open", "os.chdir", "os.symlink", "sqlite3.connect"))
    harmless_proc = frozenset(("/proc/cpuinfo", "/proc/meminfo", "/proc/loadavg", "/proc/stat", "/proc/uptime",
                               "/proc/version"))
    descriptors = frozenset(("fd", "stdin", "stdout", "stderr"))
    watched = frame_events | refused | starting | paths | frozenset(("object.__getattr__", "import"))
    text, data, kind, count, length = str, bytes, type, range, len
    denied, no_attribute, no_value, no_module = PermissionError, AttributeError, ValueError, ImportError
    refusal = RuntimeError

    def sealed(error, event):
        return error(f"{event}: not available to the code under test (the test harness keeps it)")

    def into_proc(path):
        """Whether `path` names a file of /proc (a process's memory, its descriptors) or /dev/fd, whatever the
        directory it is relative to."""
        if kind(path) is data:
            path = path.decode("utf-8", "surrogateescape")
        if kind(path) is not text or path in harmless_proc:
            return False
        parts = path.split("/")
        # `..` and `mem` too: a path relative to a descriptor (dir_fd, fchdir), which the event does not show,
        # could climb from /dev/fd (/proc/self/fd) up to /proc/self/mem.
        if "proc" in parts or ".." in parts or parts[-1] == "mem":
            return True
        for index in count(length(parts) - 1):
            if parts[index] == "dev" and parts[index + 1] in descriptors:
                return True
        return False

    def hook(event, args):
        if event not in watched:
            return
        if event == "object.__getattr__":
            if strict[0] and args[1] in frame_attributes:
                raise sealed(no_attribute, args[1])
        elif event in frame_events:
            if strict[0]:
                raise sealed(no_value if event == "sys._getframe" else refusal, event)
        elif event in paths:
            # No links at all: one made to /dev would lead to /proc through a path that names neither.
            if event == "os.symlink" or into_proc(args[0]):
                raise sealed(denied, f"{event} {args[0]!r}" if kind(args[0]) in (text, data) else event)
        elif event == "import":
            if kind(args[0]) is text and args[0].partition(".")[0] in memory_modules:
                raise sealed(no_module, f"import {args[0]}")
        elif event in starting:
            if not spawning:
                raise sealed(denied, event)
        elif event in refused:
            if loading[0] and event == "marshal.loads":
                return
            raise sealed(denied if event[:7] == "ctypes." else refusal, event)
    return hook


class StackEntry:
    """What code reads of a frame (its place, its module's name, the frame it was called from), for the code under
    test while frames are kept from it: made from the interpreter's own printouts (which read frames themselves,
    without an audit event), never from the frame, so it leads to nothing of the harness. Its locals: none."""
    __slots__ = ("f_code", "f_back", "f_lineno", "f_globals", "co_filename", "co_name")

    def __init__(self, filename, name, lineno, back=None):
        self.f_code, self.co_filename, self.co_name, self.f_lineno, self.f_back = self, filename, name, lineno, back
        self.f_globals = {"__name__": module_named(filename)}

    @property
    def f_locals(self):
        raise AttributeError("f_locals: the frames' locals are not available to the code under test (the test "
                             "harness keeps them)")


def module_named(filename, modules=sys.modules, names={}):
    """The name of the module whose file `filename` is (the program's: __main__)."""
    if filename not in names:
        names.clear()
        names.update((getattr(module, "__file__", None), name) for name, module in list(modules.items()))
        names[sys.argv[1]] = "__main__"
    return names.get(filename, "__main__")


def printed_entries(tb, display=sys.__excepthook__, buffer_type=__import__("io").StringIO):
    """(filename, name) of each entry of `tb`, from the interpreter's C traceback printer."""
    buffer, saved = buffer_type(), sys.stderr
    sys.stderr = buffer
    try:
        display(Exception, Exception(), tb)
    finally:
        sys.stderr = saved
    entries = []
    for line in buffer.getvalue().split("\n"):
        if line.startswith('  File "') and '", line ' in line and ", in " in line:
            filename, _, rest = line[8:].rpartition('", line ')
            entries.append((filename, rest.partition(", in ")[2]))
        elif line.startswith("  [Previous line repeated ") and entries:
            entries += [entries[-1]] * int(line.split()[3])
    return entries


def walk_tb(tb):
    """traceback.walk_tb while frames are kept from the code: the entries' places instead of their frames."""
    chain = []
    while tb is not None:
        chain.append(tb)
        tb = tb.tb_next
    entries = printed_entries(chain[0]) if chain else []
    entries = [("<unknown>", "<unknown>")] * (len(chain) - len(entries)) + entries[len(entries) - len(chain):]
    for entry, (filename, name) in zip(chain, entries, strict=False):
        yield StackEntry(filename, name, entry.tb_lineno), entry.tb_lineno


def walk_tb_with_positions(tb):
    for entry, lineno in walk_tb(tb):
        yield entry, (lineno, lineno, None, None)


def getframe(depth=0, dump=__import__("faulthandler").dump_traceback):
    """sys._getframe while frames are kept from the code (namedtuple, enum, typing and logging ask it for their
    caller's module and place): the stack as faulthandler prints it, as StackEntry."""
    handle = os.memfd_create("stack")
    try:
        dump(handle, all_threads=False)
        printed = os.pread(handle, os.fstat(handle).st_size, 0).decode("utf-8", "replace")
    finally:
        os.close(handle)
    places = []
    for line in printed.split("\n"):
        if line.startswith('  File "') and '", line ' in line:
            filename, _, rest = line[8:].rpartition('", line ')
            number, _, name = rest.partition(" in ")
            places.append((filename, name, int(number) if number.isdigit() else 0))
    places = places[1 + depth:]  # this function's own first
    if not places:
        raise ValueError("call stack is not deep enough")
    entry = None
    for filename, name, lineno in reversed(places):
        entry = StackEntry(filename, name, lineno, entry)
    return entry


def main():
    # Everything is local to main(): nothing of the harness sits in the namespace the program runs in.
    path, atom_start, tests_start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    unittest_kept = []  # unittest's own runners, (class, name, function), as they were before the code ran
    atom_end = int(sys.argv[4]) if len(sys.argv) > 4 else tests_start
    # A method runs inside its class: where the class starts, and how many lines of the method's code (its
    # imports, hoisted above the class) come before its first line in the program.
    class_start = int(sys.argv[5]) if len(sys.argv) > 5 else atom_start
    offset = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    # Started with real and effective user ids apart (setpriv --ruid/--euid), this process is not dumpable: no other
    # process of its user can read or write its memory (/proc/<pid>/mem, ptrace). It stays so with one id again, the
    # id the programs the code starts get.
    if os.getuid() != os.geteuid():
        os.setresuid(os.geteuid(), os.geteuid(), os.geteuid())
        # Started so, the C library took TMPDIR out of the environment, as it does for a setuid program: the
        # scratch folder, as HOME is.
        if "TMPDIR" not in os.environ and "HOME" in os.environ:
            os.environ["TMPDIR"] = os.environ["HOME"]
    # The marker of a failure's report: a secret of its own, so that reading it (from the output) tells nothing of
    # the token that says the tests passed.
    with open("report-token", encoding="utf-8") as handle:
        marker = handle.read().strip()
    os.unlink("report-token")
    known = set()
    if os.path.exists("known-names"):
        with open("known-names", encoding="utf-8") as handle:
            known = set(handle.read().split())
        os.unlink("known-names")
    namespace_type = types.SimpleNamespace  # a type nothing can change, kept before the program can rebind `types`
    report = os.dup(1)  # the harness's own output, apart from the program's
    write, writev, end = os.write, os.writev, os._exit  # as they are before the program can replace them
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

    def kind_of(error):
        """The kind of the failure `error` is, as the retry ladder routes it (AtomForge's FailureKind): said here,
        where the exception itself is, so that nothing reads it back out of the message."""
        if isinstance(error, SystemExit):
            return "exited"
        frames = frames_of(error)
        if isinstance(error, AssertionError) and frames and frames[-1][1] >= tests_start:
            return "assertion"
        for kind, classes in (("name", NameError), ("import", ImportError), ("type", TypeError),
                              ("syntax", SyntaxError)):
            if isinstance(error, classes):
                return kind
        return "exception"

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

    def expected_tests(program, asynchronous):
        """The plain `def test…()` functions of the tests the harness must run itself, each with the code the
        compiler made of it, and the test methods of their TestCase classes: what ran is checked against them, so
        that code that removes, replaces or hides a test (from the namespace, from discovery) fails instead of
        passing. `asynchronous` gets the names of the `async def` ones."""
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return {}, set()
        called, found = called_by_the_tests(), {}
        for node in tree.body:
            if (node.lineno >= tests_start and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and node.name.startswith("test") and node.name not in called and not node.decorator_list
                    and len(node.args.posonlyargs) + len(node.args.args) == len(node.args.defaults)):
                found[node.name] = node.lineno
                if isinstance(node, ast.AsyncFunctionDef):
                    asynchronous.add(node.name)
                else:
                    asynchronous.discard(node.name)
        codes = {(c.co_name, c.co_firstlineno): c for c in program.co_consts if inspect.iscode(c)}
        functions = {name: codes.get((name, line)) for name, line in found.items()}
        # The test methods of the TestCase classes the tests define (a base named …TestCase): each must start.
        methods = {(node.name, item.name) for node in tree.body
                   if node.lineno >= tests_start and isinstance(node, ast.ClassDef)
                   and any(ast.unparse(base).endswith("TestCase") for base in node.bases)
                   for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and item.name.startswith("test")}
        return functions, methods

    def program_imports():
        """The modules the program imports (anywhere in it), but those that reach the process's memory or do
        something when imported."""
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return []
        names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        names += [node.module for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module and not node.level]
        return sorted({name for name in names if "ctypes" not in name
                       and name.partition(".")[0] not in MEMORY_MODULES
                       and name.partition(".")[0] not in ("antigravity", "this", "idlelib", "tkinter", "turtle",
                                                          "turtledemo", "test", "__main__", "__hello__",
                                                          "__phello__")})

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

    def run_function(function, asynchronous):
        """Runs a test function; an `async def` one (or one that returns an awaitable) under asyncio, checked to
        have run to its end (`completed`, which only this call holds)."""
        result = function()
        if asynchronous or inspect.isawaitable(result):
            import asyncio
            completed = []

            async def wait():
                await result
                completed.append(True)
            asyncio.run(wait())
            if not completed:
                raise AssertionError("the async test did not run to its end")

    def run_case(cls, methods, started):
        """A TestCase class's tests through unittest itself (setUpClass, setUp, subTest, asyncSetUp and
        cleanups as unittest runs them), each error or failure kept with its test. The result unittest reports to
        is a SimpleNamespace (a type nothing can change) whose recorders only it holds: no class of the harness for
        the code to find (`TestResult.__subclasses__()`) and change."""
        unittest = sys.modules["unittest"]
        for owner, name, value in unittest_kept:
            setattr(owner, name, value)
        problems, base = [], unittest.TestResult()

        def start(test):
            started.add((type(test).__name__, getattr(test, "_testMethodName", None)))
            base.startTest(test)

        def failed(test, err):
            problems.append((test, err[1]))

        def failed_part(test, subtest, err):
            if err is not None:
                problems.append((subtest, err[1]))
        result = namespace_type(
            failfast=False, shouldStop=False, buffer=False, tb_locals=False, startTest=start,
            stopTest=base.stopTest, startTestRun=base.startTestRun, stopTestRun=base.stopTestRun,
            addSuccess=base.addSuccess, addSkip=base.addSkip, addExpectedFailure=base.addExpectedFailure,
            addUnexpectedSuccess=base.addUnexpectedSuccess, addError=failed, addFailure=failed,
            addSubTest=failed_part, wasSuccessful=lambda: not problems, stop=base.stop)
        unittest.TestSuite(cls(m) for m in methods).run(result)

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

    def secret(name):
        """The token, read into a buffer of its own (no other copy) and its file removed."""
        handle = os.open(name, os.O_RDONLY)
        try:
            buffer = bytearray(os.fstat(handle).st_size)
            os.readv(handle, [buffer])
        finally:
            os.close(handle)
        os.unlink(name)
        first, last = 0, len(buffer)
        while first < last and buffer[first] in b" \t\r\n":
            first += 1
        while last > first and buffer[last - 1] in b" \t\r\n":
            last -= 1
        if (first, last) == (0, len(buffer)):
            return buffer
        token = bytearray(buffer[first:last])
        wipe(buffer)
        return token

    def wipe(buffer):
        for index in range(len(buffer)):
            buffer[index] = 0

    def verdict(previous, finished, outcome):
        """The tests, in a thread of their own (see below), holding the token: printed after the last test if all
        passed; wiped before anything else happens if one failed. `outcome` gets what the main thread needs to
        describe a failure."""
        token, failure, strict = bytearray(), None, [True]
        originals = (traceback.walk_tb, traceback._walk_tb_with_full_positions, traceback.clear_frames,
                     sys._getframe)
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            token = secret("done-token")
            import symtable  # noqa: F401 -- loaded now, while bytecode may come from the caches
            if "async" in source:
                import asyncio  # noqa: F401 -- as symtable
            if "unittest" in source:
                # `unittest.main()` at the end of the tests would run them its own way and exit: the harness runs
                # them instead, each failure reported.
                import unittest
                unittest.main = lambda *args, **kwargs: None
                # What runs a TestCase's tests, as unittest has it before the code runs: put back before the
                # cases run, so that code replacing it cannot make a test count as run without running it.
                unittest_kept.extend(
                    (owner, name, owner.__dict__[name]) for owner, name in (
                        (unittest.TestCase, "run"), (unittest.TestCase, "_callTestMethod"),
                        (unittest.TestCase, "_callSetUp"), (unittest.TestCase, "_callTearDown"),
                        (unittest.TestCase, "__call__"), (unittest.TestSuite, "run"),
                        (unittest.TestSuite, "__call__"), (unittest.TestSuite, "_handleClassSetUp"))
                    if name in owner.__dict__)
            try:
                program = compile(source, path, "exec")
            except BaseException as error:
                failure = lambda error=error: (kind_of(error), describe(error))
                return
            asynchronous, ran, started = set(), set(), set()
            expected, methods = expected_tests(program, asynchronous)
            # Whether programs the code starts are kept out of this process's memory by the kernel: when this
            # process is not dumpable (its /proc files are root's) and not root. Otherwise none may start.
            try:
                spawning = os.geteuid() != 0 and os.stat("/proc/self/mem").st_uid != os.geteuid()
            except OSError:
                spawning = False
            os.register_at_fork(after_in_child=lambda: end(70))
            loading = [True]
            sys.addaudithook(guard(strict, loading, spawning))
            traceback.walk_tb, traceback._walk_tb_with_full_positions = walk_tb, walk_tb_with_positions
            traceback.clear_frames, sys._getframe = (lambda tb: None), getframe
            # What the program imports, imported now from the bytecode caches (afterwards the code may not load
            # bytecode, made by itself or not: an import compiles its source), the hook already refusing ctypes.
            for name in program_imports():
                try:
                    __import__(name)
                except BaseException:
                    pass
            loading[0] = False
            sys.pycache_prefix = os.path.join(os.sep, "nonexistent", "atomforge-no-bytecode")
            namespace = {"__name__": "__main__"}
            try:
                exec(program, namespace)
            except BaseException as error:
                failure = lambda error=error: (kind_of(error), describe(error))
                return
            problems, count = [], 0
            for name, run in discovered(namespace):
                if isinstance(run, tuple):
                    count += len(run[1])
                    problems += run_case(*run, started)
                else:
                    count += 1
                    if (type(run) is type(verdict) and run.__code__ is expected.get(name)
                            and run.__globals__ is namespace):
                        ran.add(name)
                    try:
                        run_function(run, name in asynchronous and run.__code__ is expected.get(name))
                    except BaseException as error:
                        problems.append((name, error))
            lost = ([name for name in expected if name not in ran]
                    + [f"{cls}.{method}" for cls, method in sorted(methods - started)])
            if problems or lost:
                described = lambda: [f"- {label}: " + describe(error).replace("\n", "\n  ")
                                     for label, error in problems]
                # The first failure's kind is the report's (a test the code hid is an exception).
                failure = lambda: (
                    kind_of(problems[0][1]) if problems else "exception",
                    f"{len(problems) + len(lost)} of {max(count, len(problems)) + len(lost)} tests failed:\n"
                    + "\n".join(described() + [f"- {name}: the test did not run (the program removed, replaced or "
                                              "hid it)" for name in lost]))
                return
            missing = undefined_names(namespace, program)
            if missing:
                message = "\n".join(
                    f"NameError waiting: {owner}() reads `{name}` at {where(line)}: {text(line)}\n"
                    f"  but nothing defines `{name}` (not the code, its dependencies, an import or a "
                    "builtin): calling it raises NameError; define or import it, or use the name the code "
                    "has" for name, line, owner in missing[:5])
                failure = lambda: ("name", message)
                return
            flush_program_output()
            writev(report, [token, b"\n"])
        except BaseException as error:
            failure = lambda error=error: ("exception", f"the test harness failed: {type(error).__name__}: {error}")
        finally:
            wipe(token)
            if failure is not None:
                # The token is gone: frames may be read again (describing the failure reads them).
                (traceback.walk_tb, traceback._walk_tb_with_full_positions, traceback.clear_frames,
                 sys._getframe) = originals
                strict[0] = False
                outcome.append(failure)
            finished.release()

    # The tests run in a thread of their own while this (main) thread waits with every signal blocked: Python runs
    # signal handlers only in the main thread, handing them the frame it is running, and the code cannot install
    # one from another thread (signal.signal refuses). So no code of the program runs here before the verdict, and
    # no frame of the verdict's thread reaches it.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    finished = _thread.allocate_lock()
    finished.acquire()
    outcome = []
    _thread.start_new_thread(verdict, (previous, finished, outcome))
    finished.acquire()
    signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    if outcome:
        try:
            kind, message = outcome[0]()
        except BaseException as error:
            kind = "exception"
            message = f"the tests failed; describing the failure failed too: {type(error).__name__}: {error}"
        # After a marker line naming the failure's kind, so that what the program printed never hides the report.
        flush_program_output()
        write(report, f"{marker}:report:{kind}\n{message}\n".encode("utf-8", "replace"))
        end(1)


main()
