import Foundation

/// What one candidate did on each input: its value in a canonical text (`[1,2]`, `'ab'`), `raise ValueError`, or
/// `timeout`; or why it could not be run at all.
public struct Behaviour: Sendable, Equatable {
    public var inputs: [String]
    public var outputs: [String]

    public init(inputs: [String], outputs: [String]) {
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// Runs a candidate on many inputs in one sandboxed process (through the warm runner when there is one), so that
/// candidates can be told apart by what they do rather than by how they read.
///
/// The inputs are calls of the atom (`f([3, 1, 2])`): the description's examples, the model's proposals, and inputs
/// derived from those whose arguments are literals (an empty list, one element, reversed, zero, minus one, an empty
/// string…). Derivation is deterministic, so every candidate of an atom sees the same inputs. Values are compared as
/// tests compare them: `True` equals `1`, `2.0` equals `2`, floats to nine digits, sets and dicts without order; a
/// function that returns nothing is judged by what it did to its arguments.
public struct BehaviourProbe: Sendable {
    let runner: ToolRunner
    /// The most inputs one candidate is run on, seeds included.
    let maxInputs: Int

    public init(runner: ToolRunner, maxInputs: Int) {
        self.runner = runner
        self.maxInputs = maxInputs
    }

    /// Whether the probe can run `atom`: a free Python function (a method's inputs would need an instance).
    public static func applies(to atom: Atom) -> Bool {
        atom.language.testRunner == .python && atom.kind == .function
    }

    /// `subject`'s code with its dependencies, run on `seeds` and what is derived from them; nil when the probe
    /// itself could not run (the sandbox refused, the output was lost).
    public func behaviour(of subject: ValidationSubject, seeds: [String]) async -> Behaviour? {
        var header = subject.allImports.joined(separator: "\n")
        if !header.isEmpty { header += "\n" }
        let dependencies = subject.dependencyCode.joined(separator: "\n\n")
        let program = header + (dependencies.isEmpty ? "" : dependencies + "\n\n") + subject.runnableCode + "\n"
        let token = AtomTestValidator.makeToken()
        let seedsJSON = (try? String(decoding: JSONEncoder().encode(seeds), as: UTF8.self)) ?? "[]"
        let files = [
            "program.py": program, "probe.py": Self.python, "inputs.json": seedsJSON, TestHarness.tokenFile: token,
        ]
        guard
            let run = try? await runner.runPython(
                ["probe.py", "program.py", subject.atom.name, "\(maxInputs)"], files: files)
        else { return nil }
        let line = (run.output + "\n" + run.outputTail).split(separator: "\n").last { $0.hasPrefix(token) }
        guard let line,
            let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(token.count).utf8))
                as? [String: Any]
        else { return nil }
        if object["error"] != nil { return Behaviour(inputs: [], outputs: []) }
        guard let inputs = object["inputs"] as? [String], let outputs = object["outputs"] as? [String],
            inputs.count == outputs.count
        else { return nil }
        return Behaviour(inputs: inputs, outputs: outputs)
    }

    /// The probe: loads the program, derives the inputs, runs the function on each with a time limit, and prints
    /// one line, behind a token it reads from a file it deletes first (the code cannot forge the line).
    static let python = #"""
        import ast, builtins, itertools, json, os, re, signal, sys, time

        class _OutOfTime(BaseException):
            pass

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
                if value.is_integer() and abs(value) < 1e15:
                    return str(int(value))
                return "%.9g" % value
            if isinstance(value, (str, bytes, complex)):
                return repr(value)
            if isinstance(value, list):
                return "[" + ",".join(canon(item, depth + 1) for item in value[:10000]) + "]"
            if isinstance(value, tuple):
                return "(" + ",".join(canon(item, depth + 1) for item in value[:10000]) + ")"
            if isinstance(value, (set, frozenset)):
                return "{" + ",".join(sorted(canon(item, depth + 1) for item in value)) + "}"
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
                return [type(value)(), type(value)(list(value)[:1])]
            return []

        def derive(seeds, name, limit):
            inputs, seen, derived = [], set(), []
            def add(call):
                if call not in seen and len(inputs) < limit:
                    seen.add(call)
                    inputs.append(call)
            for seed in seeds:
                try:
                    node = ast.parse(seed.strip(), mode="eval").body
                except SyntaxError:
                    continue
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
                        per_seed.append(name + "(" + ", ".join(repr(item) for item in changed) + ")")
                derived.append(per_seed)
            # Each seed's variants in turn, so that a limit keeps some of every seed's.
            for round_ in itertools.zip_longest(*derived):
                for call in round_:
                    if call is not None:
                        add(call)
            return inputs

        def run(function, call, name, deadline):
            if time.monotonic() > deadline:
                return "timeout"
            try:
                node = ast.parse(call, mode="eval").body
                scope = {"__builtins__": builtins}
                arguments = [eval(compile(ast.Expression(a), "<input>", "eval"), scope) for a in node.args]
                keywords = {k.arg: eval(compile(ast.Expression(k.value), "<input>", "eval"), scope)
                            for k in node.keywords if k.arg}
            except BaseException:
                return "unreadable"
            signal.setitimer(signal.ITIMER_REAL, 1.0)
            try:
                value = function(*arguments, **keywords)
                shown = canon(value)
                if value is None:
                    shown += " after " + canon((arguments, keywords))
            except _OutOfTime:
                return "timeout"
            except RecursionError:
                return "raise RecursionError"
            except BaseException as error:
                return "raise " + type(error).__name__
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            return shown if len(shown) <= 2000 else shown[:2000] + "…" + str(hash(shown))

        def main():
            path, name, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
            with open("done-token", encoding="utf-8") as handle:
                token = handle.read().strip()
            os.unlink("done-token")
            with open("inputs.json", encoding="utf-8") as handle:
                seeds = json.load(handle)
            report = os.fdopen(os.dup(1), "w")
            quiet = open(os.devnull, "w")
            sys.stdout = quiet
            def out_of_time(signum, frame):
                raise _OutOfTime()
            signal.signal(signal.SIGALRM, out_of_time)
            inputs = derive(seeds, name, limit)
            namespace = {"__name__": "program", "__builtins__": builtins}
            try:
                with open(path, encoding="utf-8") as handle:
                    exec(compile(handle.read(), path, "exec"), namespace)
                function = namespace.get(name)
                if not callable(function):
                    raise NameError(name)
            except BaseException as error:
                report.write(token + json.dumps({"error": type(error).__name__}) + "\n")
                report.flush()
                os._exit(0)
            deadline = time.monotonic() + 8
            outputs = [run(function, call, name, deadline) for call in inputs]
            report.write(token + json.dumps({"inputs": inputs, "outputs": outputs}) + "\n")
            report.flush()
            os._exit(0)

        main()
        """#
}
