import ctypes, fcntl, json, os, resource, runpy, select, signal, socket, struct, sys, time
# What the test harness and runpy import, imported once here: a run finds it loaded (the harness's own CPU,
# not the imports', is what each run costs). None of it holds state of a run.
import ast, atexit, gc, inspect, linecache, pkgutil, threading, traceback, tokenize, unittest, asyncio  # noqa: F401

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x20000, 0x4000000, 0x8000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38
SIOCSIFFLAGS, IFF_UP, IFF_LOOPBACK, IFF_RUNNING = 0x8914, 0x1, 0x8, 0x40
TAIL = 1024


def check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def mount(source, target, kind, flags, data=None):
    check(libc.mount(source and source.encode(), target.encode(), kind and kind.encode(), ctypes.c_ulong(flags),
                     data and data.encode()), f"mount {target}")


def read_request():
    header = b""
    while not header.endswith(b"\n"):
        byte = os.read(0, 1)
        if not byte:
            return None
        header += byte
    size, body = int(header), b""
    while len(body) < size:
        chunk = os.read(0, size - len(body))
        if not chunk:
            return None
        body += chunk
    return json.loads(body)


def prepare(request):
    """In the run's own namespaces, as root there: its folders and files. Returns what the program needs."""
    limits = request["limits"]
    uid = request["uid"]
    if not isinstance(uid, int) or uid <= 0:
        raise ValueError("a run needs a user of its own")
    scratch = request["scratch"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # The loopback up, as bubblewrap leaves it: a connection to 127.0.0.1 is refused, nothing else reachable.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", IFF_UP | IFF_LOOPBACK | IFF_RUNNING))
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits['scratch']},mode=1777")
    # The run's folder in a folder passable, not listable, by its user, as on the host; the zygote's own is
    # under the /tmp this run no longer sees (or elsewhere, and 0700).
    parent = os.path.dirname(scratch)
    os.makedirs(parent, exist_ok=True)
    mount("tmpfs", parent, "tmpfs", MS_NOSUID | MS_NODEV, "size=65536,mode=0711")
    os.mkdir(scratch)
    mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits['scratch']},mode=0700")
    argv, environment = request["argv"], request["environment"]
    files, name, text = request.pop("files"), None, None
    for name, text in files.items():
        with open(os.path.join(scratch, name), "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chown(os.path.join(scratch, name), uid, uid)
    os.chown(scratch, uid, uid)
    compiled = PRELOADED.get((argv[1], files.get(argv[1])))
    del files, name, text
    # Emptied, not only dropped here: the frames below still hold the dict, and the code must not find the
    # request among the objects it can reach.
    request.clear()
    return argv, environment, compiled, scratch, uid, limits


def program(argv, environment, compiled, scratch, uid, limits, output, ready):
    """The run's program, as a user of its own with its limits. Says on `ready` that its set-up is done
    (`ok`) or what failed, before any of the code runs; never returns."""
    try:
        os.setsid()
        for kind, value in [(resource.RLIMIT_DATA, limits["data"]), (resource.RLIMIT_FSIZE, limits["file"]),
                            (resource.RLIMIT_NOFILE, 256), (resource.RLIMIT_CPU, limits["cpu"]),
                            (resource.RLIMIT_CORE, 0), (resource.RLIMIT_NPROC, limits["processes"])]:
            resource.setrlimit(kind, (value, value))
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        # The test harness gets an interpreter of its own (below), started with real and effective ids apart
        # as Sandbox.wrap starts it: not dumpable; it takes the one id back itself.
        fresh = argv[1:2] == ["harness.py"]
        os.setresuid(uid + 1_000_000 if fresh else uid, uid, uid)
        # After the change of user (which clears both): killed if its init dies. Left not dumpable (as the
        # change of user made it): no process of the run's user (none the code starts) may read or write the
        # harness's memory through /proc/<pid>/mem or ptrace; the programs the code starts are dumpable again
        # after their exec.
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        os.chdir(scratch)
        null = os.open("/dev/null", os.O_RDONLY)
    except BaseException as error:
        os.write(ready, f"{type(error).__name__}: {error}".encode())
        os._exit(126)
    os.write(ready, b"ok")
    os.dup2(null, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.closerange(3, 65536)
    # The signals as a fresh interpreter has them.
    for number in range(1, signal.NSIG):
        try:
            signal.signal(number, signal.SIG_DFL)
        except (OSError, ValueError, RuntimeError):
            pass
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.environ.clear()
    os.environ.update(environment)
    if fresh:
        # Not this interpreter, which loaded the zygote's modules: ctypes once loaded leaves classes any
        # code can find (object.__subclasses__()) and read memory with, the harness's token there. A
        # fresh python3 has none of it.
        try:
            os.execve(sys.executable, ["python3", "-I"] + argv[1:], environment)
        except OSError as error:
            os.write(2, f"cannot start python3: {error}\n".encode())
            os._exit(126)
    sys.argv = argv[1:]
    # As a fresh interpreter on pipes: stdout block-buffered, stderr line-buffered with backslashreplace.
    sys.stdin = sys.__stdin__ = open(0, "r", closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", closefd=False, buffering=1, errors="backslashreplace")
    try:
        if compiled is not None and hasattr(runpy, "_run_module_code"):
            # What run_path does with the code it compiles from the file.
            runpy._run_module_code(compiled, None, "__main__", pkg_name="", script_name=argv[1])
        else:
            runpy.run_path(argv[1], run_name="__main__")
        status = 0
    except SystemExit as end:
        status = exit_status(end.code)
    except KeyboardInterrupt:
        report_uncaught(argv[1])
        status = 128 + signal.SIGINT
    except BaseException:
        report_uncaught(argv[1])
        status = 1
    finish(status)


def report_uncaught(script):
    """The traceback a fresh interpreter prints: from the script's first frame, not the zygote's or runpy's."""
    kind, error, trace = sys.exc_info()
    first = trace
    while first is not None and first.tb_frame.f_code.co_filename != script:
        first = first.tb_next
    sys.excepthook(kind, error, first or trace)


def exit_status(code):
    """The status the interpreter ends with for `SystemExit(code)`."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except BaseException:
        pass
    return 1


def finish(status):
    """Ends the run as the interpreter ends: the threads it left running joined, its atexit functions run, its
    output flushed."""
    for step in (threading._shutdown, atexit._run_exitfuncs, sys.stdout.flush, sys.stderr.flush):
        try:
            step()
        except BaseException:
            pass
    os._exit(status)


def read_to_end(descriptor, deadline):
    """What a pipe holds until its writers close it; None at `deadline`."""
    data = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([descriptor], [], [], remaining)
        if ready:
            chunk = os.read(descriptor, 4096)
            if not chunk:
                return data
            data += chunk


def serve(request):
    """In the spare that took `request`, the init of a PID namespace of its own: the run's other namespaces and
    folders, its program, its output, its end (everything the program left running is killed when it ends, as
    the end of a sandbox's init kills it). A run that could not be set up is no answer (an error: its caller
    runs the tests in a fresh sandbox instead)."""
    identifier, limit = request["id"], request["output_limit"]
    # What a run may write in all, as a file's size limit cuts a fresh sandbox's output file.
    most = request["limits"]["file"]
    timeout, setup_deadline = request["timeout"], time.monotonic() + 20  # the timeout is the program's own
    read_end, write_end = os.pipe()
    ready_r, ready_w = os.pipe()
    try:
        check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
        run = prepare(request)
    except BaseException as error:
        raise RuntimeError(f"the run could not be set up: {type(error).__name__}: {error}") from error
    reap_r, reap_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.signal(signal.SIGCHLD, lambda number, frame: None)
    signal.set_wakeup_fd(reap_w, warn_on_full_buffer=False)
    pid = os.fork()
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            os.close(read_end)
            os.close(ready_r)
            program(*run, write_end, ready_w)
        except BaseException as error:
            os.write(ready_w, f"{type(error).__name__}: {error}".encode())
        os._exit(126)
    os.close(write_end)
    os.close(ready_w)
    setup = read_to_end(ready_r, setup_deadline)
    os.close(ready_r)
    deadline = time.monotonic() + timeout
    if setup != b"ok":
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        reason = "it took more than 20 seconds" if setup is None else setup.decode("utf-8", "replace")
        raise RuntimeError(f"the run could not be set up: {reason or 'it ended first'}")
    # Until the program has ended and its output is read to the end (what it left running holds the pipe
    # open until it is killed), or the deadline.
    ended = os.pidfd_open(pid)
    waiting = [read_end, ended, reap_r]
    head, tail, timed_out, program_status, written = b"", b"", False, None, 0
    while read_end in waiting or ended in waiting:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            kill_the_rest()
            break
        ready, _, _ = select.select(waiting, [], [], remaining)
        if reap_r in ready:
            # As an init does: every child that ended is reaped (orphans count against the run's
            # process limit while they are zombies); the program's status is kept.
            try:
                while os.read(reap_r, 512):
                    pass
            except BlockingIOError:
                pass
            program_status = reap(pid, program_status)
        if ended in ready:
            waiting.remove(ended)
            kill_the_rest()
        if read_end in ready:
            data = os.read(read_end, 65536)
            if not data:
                waiting.remove(read_end)
            if len(head) <= limit:
                head += data
            tail = (tail + data)[-TAIL:]
            written += len(data)
            if written >= most and ended in waiting:
                # Past what a run may write: it ends here, as a fresh sandbox's program stops writing.
                kill_the_rest()
    status = program_status if program_status is not None else os.waitpid(pid, 0)[1]
    code = os.waitstatus_to_exitcode(status)
    code = code if code >= 0 else 128 - code
    cut = len(head) > limit
    output = head[:limit].decode("utf-8", "replace") + (f"\n… (output cut at {limit} bytes)" if cut else "")
    answer = {"id": identifier, "exit": code, "timed_out": timed_out, "output": output,
              "tail": tail.decode("utf-8", "replace") if cut else None, "written": written}
    write_answer(answer)


def reap(program, status):
    """Reaps the children that ended; returns the program's wait status if it was among them."""
    while True:
        try:
            done, ending = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if done == 0:
            return status
        if done == program:
            status = ending


def kill_the_rest():
    """Every process of this PID namespace but its init."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass


def write_answer(answer):
    """One line on standard output, whole: under the lock every spare takes on the same file."""
    line = (json.dumps(answer) + "\n").encode()
    fcntl.flock(ANSWERS_LOCK, fcntl.LOCK_EX)
    while line:
        line = line[os.write(1, line):]


def main():
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # spares are never waited for here
    own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY)
    while True:
        # A pipe per spare: one that dies before it says whether it took a request ends the wait (and this
        # zygote: the request stream may be cut mid-request), not only one that says so.
        taken_r, taken_w = os.pipe()
        # The spare is the first process of a PID namespace of its own: its run's init.
        check(libc.setns(own_pid_namespace, CLONE_NEWPID), "setns pid")
        check(libc.unshare(CLONE_NEWPID), "unshare pid")
        pid = os.fork()
        if pid == 0:
            os.close(taken_r)
            os.close(own_pid_namespace)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            request = read_request()
            os.write(taken_w, b"e" if request is None else b"t")
            os.close(taken_w)
            if request is None:
                os._exit(0)
            # Opened before the run's mount namespace hides this folder; an open file of this spare's own.
            global ANSWERS_LOCK
            ANSWERS_LOCK = os.open("answers.lock", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
            # Kept here: serve empties the request before the code runs.
            identifier = request.get("id")
            try:
                serve(request)
            except BaseException as error:
                write_answer({"id": identifier, "error": f"{type(error).__name__}: {error}"})
            finally:
                os._exit(0)
        os.close(taken_w)
        taken = os.read(taken_r, 1)
        os.close(taken_r)
        if taken != b"t":
            break


# The scripts preloaded (`preload-<name>` beside this one), compiled once: a run of `<name>` with the same
# text starts from this code, as run_path would have compiled it.
PRELOADED = {}
for entry in os.listdir("."):
    if entry.startswith("preload-"):
        with open(entry, encoding="utf-8") as handle:
            text = handle.read()
        PRELOADED[(entry[len("preload-"):], text)] = compile(text, entry[len("preload-"):], "exec")

# What the imports made is never collected here: no collection in a fork writes to those pages (copying
# them), and a run's collections do not walk them.
gc.freeze()
main()
