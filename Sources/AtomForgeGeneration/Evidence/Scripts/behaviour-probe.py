import ast, asyncio, builtins, hashlib, inspect, io, itertools, json, os, re, signal, sys, time, types

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)

class _OutOfTime(BaseException):
    pass

def digest(text):
    """A long text as its start and a hash that is the same in every process (not hash(): salted)."""
    if len(text) <= 300:
        return text
    return text[:120] + "…#" + hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()[:16]

def canon(value, depth=0):
    if depth > 20:
        return "…"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return repr(value)
        if value.is_integer():
            return str(int(value))
        return "%.9g" % value
    if isinstance(value, (str, bytes, complex)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ",".join(canon(item, depth + 1) for item in value[:10000]) + "]"
    if isinstance(value, tuple):
        return "(" + ",".join(canon(item, depth + 1) for item in value[:10000]) + ")"
    if isinstance(value, (set, frozenset)):
        return "set{" + ",".join(sorted(canon(item, depth + 1) for item in value)) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(canon(k, depth + 1) + ":" + canon(v, depth + 1)
                                     for k, v in value.items())) + "}"
    if hasattr(value, "__next__"):
        return "iter[" + ",".join(canon(item, depth + 1) for item in itertools.islice(value, 10000)) + "]"
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))

def literal(node):
    try:
        return True, ast.literal_eval(node)
    except Exception:
        return False, None

def written(value):
    """A literal as code, the same in every process (a set's items sorted)."""
    if isinstance(value, (set, frozenset)):
        items = sorted((written(item) for item in value))
        return ("frozenset({" if isinstance(value, frozenset) else "{") + ", ".join(items) + (
            "})" if isinstance(value, frozenset) else "}") if items else (
            "frozenset()" if isinstance(value, frozenset) else "set()")
    if isinstance(value, list):
        return "[" + ", ".join(written(item) for item in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(written(item) for item in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(written(k) + ": " + written(v) for k, v in value.items()) + "}"
    return repr(value)

def variants(value):
    """Values of the same type near `value`: the edges a function must also get right."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [0, 1, -1, value + 1, value * 2, -value]
    if isinstance(value, float):
        return [0.0, -value, value * 2, value + 0.5]
    if isinstance(value, str):
        return ["", value[:1], value[::-1], value.upper(), value + " " + value, value.swapcase()]
    if isinstance(value, (list, tuple)):
        kind = type(value)
        found = [kind(), kind(value[:1]), kind(value[::-1]), kind(value[1:]), kind(list(value) + list(value[:1]))]
        try:
            found.append(kind(sorted(value)))
        except Exception:
            pass
        if value and all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            found.append(kind(item * 2 - 1 for item in value))
        return found
    if isinstance(value, dict):
        items = list(value.items())
        return [{}, dict(items[:1]), dict(items[::-1])]
    if isinstance(value, (set, frozenset)):
        items = sorted(value, key=written)
        return [type(value)(), type(value)(items[:1])]
    return []

def derive(seeds, name, limit):
    inputs, seen, derived = [], set(), []
    def add(call):
        if call not in seen and len(inputs) < limit and len(call) <= 2000:
            seen.add(call)
            inputs.append(call)
    for seed in seeds:
        try:
            node = ast.parse(seed.strip(), mode="eval").body
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name):
                continue
            add(seed.strip())
            values = [literal(argument) for argument in node.args]
            if node.keywords or not all(ok for ok, _ in values):
                continue
            arguments = [value for _, value in values]
            per_seed = []
            for position, value in enumerate(arguments):
                for variant in variants(value):
                    changed = list(arguments)
                    changed[position] = variant
                    per_seed.append(name + "(" + ", ".join(written(item) for item in changed) + ")")
            derived.append(per_seed)
        except Exception:
            continue
    # Each seed's variants in turn, so that a limit keeps some of every seed's.
    for round_ in itertools.zip_longest(*derived):
        for call in round_:
            if call is not None:
                add(call)
    return inputs

def call_once(function, call):
    node = ast.parse(call, mode="eval").body
    scope = {"__builtins__": builtins}
    arguments = [eval(compile(ast.Expression(a), "<input>", "eval"), scope) for a in node.args]
    keywords = {k.arg: eval(compile(ast.Expression(k.value), "<input>", "eval"), scope)
                for k in node.keywords if k.arg}
    printed = io.StringIO()
    sys.stdout = printed
    try:
        value = function(*arguments, **keywords)
        if inspect.iscoroutine(value):
            value = asyncio.run(value)
    finally:
        sys.stdout = sys.__stdout__
    shown = canon(value)
    if value is None:
        shown += " after " + canon((arguments, keywords))
    if printed.getvalue():
        shown += " printing " + repr(printed.getvalue())
    return shown

def run(function, call, deadline):
    if time.monotonic() > deadline:
        return "skipped"
    try:
        # The clock runs from before the arguments are made (f(10**10**8) is cut too), and rings again every
        # tenth of a second, so code that swallows the first ring is still stopped.
        signal.setitimer(signal.ITIMER_REAL, 1.0, 0.1)
        try:
            shown = call_once(function, call)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _OutOfTime:
        return "timeout"
    except RecursionError:
        return "raise RecursionError"
    except SyntaxError:
        return "unreadable"
    except BaseException as error:
        return "raise " + type(error).__name__
    return digest(shown)

def value_of(text):
    """A value the model wrote as a call's expected result, written as outputs are; None when it cannot be
    made (it is then no expectation)."""
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0, 0.1)
        try:
            value = eval(compile(ast.parse(text.strip(), mode="eval"), "<expected>", "eval"),
                         {"__builtins__": builtins})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return digest(canon(value))
    except BaseException:
        return None

def main():
    path, name, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open("done-token", encoding="utf-8") as handle:
        token = handle.read().strip()
    os.unlink("done-token")
    with open("inputs.json", encoding="utf-8") as handle:
        seeds = json.load(handle)
    # The report goes to a descriptor of its own; what the program writes to 1 and 2 goes nowhere.
    report = os.fdopen(os.dup(1), "w")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    sys.stdout = sys.__stdout__ = open(os.devnull, "w")
    def out_of_time(signum, frame):
        raise _OutOfTime()
    signal.signal(signal.SIGALRM, out_of_time)
    inputs = derive(seeds, name, limit)
    # The program as a module of its own, registered as such (dataclasses look their module up).
    module = types.ModuleType("program")
    module.__file__ = os.path.abspath(path)
    sys.modules["program"] = module
    try:
        with open(path, encoding="utf-8") as handle:
            exec(compile(handle.read(), path, "exec"), module.__dict__)
        function = module.__dict__.get(name)
        if not callable(function):
            raise NameError(name)
    except BaseException as error:
        report.write(token + json.dumps({"error": type(error).__name__}) + "\n")
        report.flush()
        os._exit(0)
    deadline = time.monotonic() + 8
    outputs = []
    for call in inputs:
        try:
            outputs.append(run(function, call, deadline))
        except BaseException:
            outputs.append("timeout")
    written_expected = {}
    if os.path.exists("expected.json"):
        with open("expected.json", encoding="utf-8") as handle:
            written_expected = json.load(handle)
    expected = []
    for call in inputs:
        expected.append(value_of(written_expected[call]) if call in written_expected else None)
    report.write(token + json.dumps({"inputs": [digest(call) for call in inputs], "outputs": outputs,
                                     "expected": expected}) + "\n")
    report.flush()
    os._exit(0)

main()
