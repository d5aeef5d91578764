import inspect, json, os, signal, sys

try:
    import pytest
except ImportError:
    pytest = None

def short(text, limit=1500):
    lines = [line for line in (text or "").splitlines() if line.strip()]
    shown = [line for line in lines if line.startswith("E ")] or lines[-12:]
    where = [line for line in lines if ".py:" in line][-1:]
    return "\n".join(shown[-12:] + where)[:limit]

class TestTimeout(BaseException):
    """Raised in a test that ran past its limit; a BaseException, so that the code under test does not
    swallow it with `except Exception`."""

class Collector:
    def __init__(self, src, suite, report, token, limit):
        self.tests = {}
        self.errors = []
        self.blame = {}
        self.src = src
        self.suite = suite
        self.report = report
        self.token = token
        self.limit = limit

    def pytest_runtest_logstart(self, nodeid, location):
        self.report.write(self.token + json.dumps({"running": nodeid}) + "\n")
        self.report.flush()

    def timed(self):
        """Runs one phase of a test (set-up, call, tear-down) under the timer, and only that phase: a signal
        that came in pytest's own code between phases would end the whole session."""
        def out_of_time(signum, frame):
            raise TestTimeout(f"the test did not finish within {self.limit:g} s (suite.test_timeout_s)")
        signal.signal(signal.SIGALRM, out_of_time)
        signal.setitimer(signal.ITIMER_REAL, self.limit)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    if pytest is not None:
        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_setup(self, item):
            yield from self.timed()

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_call(self, item):
            yield from self.timed()

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_teardown(self, item, nextitem):
            yield from self.timed()

    def pytest_exception_interact(self, node, call, report):
        """Where a failing test's exception went through the tree (innermost last), and the line of the test
        it came from: what the failure is pinned on."""
        frames, line = [], None
        try:
            for entry in call.excinfo.traceback:
                path = str(entry.path)
                if path.startswith(self.src + os.sep):
                    frames.append([os.path.relpath(path, self.src), entry.lineno + 1, entry.name])
                elif path.startswith(self.suite + os.sep):
                    try:
                        line = str(entry.statement).strip()[:500]
                    except Exception:
                        pass
        except Exception:
            pass
        source = None
        try:
            function = getattr(node, "function", None)
            # Only the first failures' code is kept: a round's prompt shows three, and the report is one line.
            if function is not None and len(self.blame) < 20:
                source = "\n".join(inspect.getsource(function).splitlines()[:40])[:2000]
        except Exception:
            pass
        # The call's exception first: a tear-down error after it does not replace where the test failed.
        self.blame.setdefault(report.nodeid, {"frames": frames[-20:], "line": line, "source": source})

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append((report.nodeid or "collection") + ": " + short(report.longreprtext, 800))

    def pytest_runtest_logreport(self, report):
        entry = self.tests.setdefault(report.nodeid, {"name": report.nodeid, "outcome": "passed"})
        if report.when == "call":
            if report.failed:
                entry["outcome"] = "failed"
                entry["message"] = short(report.longreprtext)
            elif report.skipped:
                entry["outcome"] = "skipped"
        elif report.failed and entry["outcome"] != "failed":
            entry["outcome"] = "error"
            entry["message"] = short(report.longreprtext)
        elif report.skipped and report.when == "setup":
            entry["outcome"] = "skipped"

def main():
    with open("done-token", encoding="utf-8") as handle:
        token = handle.read().strip()
    os.unlink("done-token")
    report = os.fdopen(os.dup(1), "w")
    with open("suite.json", encoding="utf-8") as handle:
        payload = json.load(handle)
    here = os.getcwd()
    for folder, files in (("src", payload["tree"]), ("suite", payload["suite"])):
        for path, text in files.items():
            target = os.path.join(here, folder, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
    sys.path.insert(0, os.path.join(here, "src"))
    os.environ["PYTHONPATH"] = os.path.join(here, "src")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    if pytest is None:
        report.write(token + json.dumps({"problem": "pytest is not installed for the python3 that runs tests"}) + "\n")
        report.flush()
        os._exit(0)
    collector = Collector(os.path.join(here, "src"), os.path.join(here, "suite"), report, token,
                          float(payload.get("test_timeout") or 10))
    chosen = payload.get("only") or ["suite"]
    code = pytest.main(
        ["-q", "-p", "no:cacheprovider", "--rootdir", here, "-o", "python_files=*.py"] + chosen,
        plugins=[collector])
    for name, blame in collector.blame.items():
        if name in collector.tests:
            collector.tests[name].update(blame)
    # The report is one line the runner keeps whole: past the first 60 failures, messages are cut short.
    failures = [t for t in collector.tests.values() if t.get("message")]
    for test in failures[60:]:
        test["message"] = test["message"][:200]
        test["frames"] = test.get("frames", [])[-3:]
        test["source"] = None
    report.write(token + json.dumps({"exit": int(code), "tests": list(collector.tests.values()),
                                     "errors": collector.errors}) + "\n")
    report.flush()
    os._exit(0)

main()
