import ast, builtins, sys
source = open(sys.argv[1], encoding="utf-8").read()
try:
    tree = ast.parse(source)
except SyntaxError:
    sys.exit(3)
definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
unit = sys.argv[2] if len(sys.argv) > 2 else ""
provided = set(filter(None, sys.argv[3].split(","))) if len(sys.argv) > 3 else set()
defined = {node.name for node in tree.body if isinstance(node, definitions[:3])}
imported = {(alias.asname or alias.name).split(".")[0]
            for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
side_effects = {"print", "input", "exit", "quit", "breakpoint", "help"}

def example_call(node):
    """A call of the unit itself, a print or an exit, or of a name nothing defines (a test's helper)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Name) and (
                    func.id == unit or func.id in side_effects
                    or func.id not in defined | imported | provided | set(dir(builtins))):
                return True
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and (
                    func.value.id == unit or (func.value.id, func.attr) in {("sys", "exit"), ("os", "_exit")}):
                return True
    return False

def only_definitions(body):
    return all(isinstance(n, definitions + (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Pass)) for n in body)

def keeps(node):
    if isinstance(node, ast.ImportFrom) and provided and node.level == 0:
        # `from pkg.mod import helper` of a dependency's own name: it is already in scope.
        return not all(alias.name in provided and alias.asname is None for alias in node.names)
    if isinstance(node, definitions[:3]) and node.name in provided:
        # A dependency written again: the validated one is in scope, and the assembled file has it once.
        return False
    if isinstance(node, definitions):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return not example_call(node)  # `PRIMES = sieve(100)` stays; `result = unit(3)` goes
    if isinstance(node, ast.Expr):
        if isinstance(node.value, ast.Constant):
            return isinstance(node.value.value, str)  # a docstring
        # `sys.setrecursionlimit(10000)` stays; `print(unit(2))` and `check(unit)` go
        return isinstance(node.value, ast.Call) and not example_call(node)
    if isinstance(node, (ast.For, ast.While)):
        return not example_call(node) and not any(isinstance(n, ast.Assert) for n in ast.walk(node))
    if isinstance(node, ast.Try):
        return only_definitions(node.body) and not example_call(node)
    if isinstance(node, ast.If):
        guard = ast.unparse(node.test)
        return "__name__" not in guard and only_definitions(node.body + node.orelse) and not example_call(node)
    return False

def first_line(node):
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])

kept = {line for node in tree.body if keeps(node) for line in range(first_line(node), node.end_lineno + 1)}
dropped = {line for node in tree.body if not keeps(node)
           for line in range(first_line(node), node.end_lineno + 1)} - kept
if not dropped:
    sys.exit(3)
lines = source.splitlines()
out, blank = [], 0
for number, line in enumerate(lines, 1):
    if number in dropped:
        continue
    blank = blank + 1 if not line.strip() else 0
    if blank <= 2:
        out.append(line)
print("\n".join(out).strip("\n"))
