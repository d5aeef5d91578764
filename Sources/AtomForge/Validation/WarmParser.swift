import Foundation
import Glibc
import Subprocess
import Synchronization

/// One `python3` that lives as long as AtomForge, in the sandbox, serving the Python scripts of AtomForge's own that
/// parse code and never run it: the unit extraction (``UnitExtractor``) and Python's syntax check. Each then costs a
/// parse (well under a millisecond for an atom) instead of a sandbox and an interpreter's start-up (about 20 ms of
/// CPU for `python3` alone, two of them per attempt).
///
/// Why it keeps the sandbox's guarantees:
/// - The code it is given is only parsed (`ast.parse`), never run; the scripts it runs are AtomForge's, sent with
///   each request, and the code reaches them only as a file to read.
/// - It runs in the same sandbox as every validator run (``Sandbox/wrap``: no network, the minimal read-only root,
///   a user of its own when AtomForge is root, the memory and file limits) and holds nothing but the code of the
///   request in hand.
/// - What it answers cannot make an attempt pass that would fail: the tests still run in a fresh sandboxed process
///   each, and a unit it returns must be lines of the code it was given, in order (``UnitExtractor`` checks), so
///   even a parser subverted by crafted input could only drop lines of a later atom's code, which its tests judge.
///
/// Any failure (it cannot start, it dies, it does not answer within the validation timeout) ends that process, the
/// next call starts another, and the call itself falls back to a fresh `python3`: a result never depends on it.
/// After three processes in a row that exited having answered nothing (one that cannot start) it is not started again.
public actor WarmParser {
    /// What the process answered.
    struct Answer: Decodable {
        var exit: Int32
        var output: String
    }

    private struct Request: Encodable {
        var script: String
        var argv: [String]
        var files: [String: String]
        var ignoreWarnings: Bool

        enum CodingKeys: String, CodingKey {
            case script, argv, files
            case ignoreWarnings = "ignore_warnings"
        }
    }

    private struct Pending {
        var id: UInt64
        var continuation: CheckedContinuation<Answer?, Never>
    }

    private let sandbox: Sandbox
    private let timeout: Duration
    private var session: Task<Void, Never>?
    private var requests: AsyncStream<[UInt8]>.Continuation?
    private var pending: [Pending] = []
    private var generation = 0
    private var nextID: UInt64 = 0
    private var answeredInSession = 0
    private var silentSessions = 0
    /// Processes started so far: a test's view of restarts.
    public private(set) var starts = 0

    /// A parser in `sandbox` (its CPU limit raised: the process lives for many requests; the timeout bounds each).
    public init(sandbox: Sandbox, timeout: Duration) {
        var sandbox = sandbox
        sandbox.cpuSeconds = max(sandbox.cpuSeconds, 3600)
        self.sandbox = sandbox
        self.timeout = timeout
    }

    /// The parser of this process for `sandbox` and `timeout`, made on first use: validators and the unit
    /// extraction of every plan share it.
    public static func shared(sandbox: Sandbox, timeout: Duration) -> WarmParser {
        sharedParsers.withLock { parsers in
            if let found = parsers.first(where: { $0.sandbox == sandbox && $0.timeout == timeout }) {
                return found.parser
            }
            let parser = WarmParser(sandbox: sandbox, timeout: timeout)
            parsers.append((sandbox, timeout, parser))
            return parser
        }
    }

    private static let sharedParsers = Mutex<[(sandbox: Sandbox, timeout: Duration, parser: WarmParser)]>([])

    /// Runs `script` as `python3 -I -c script arguments…` would, in a folder holding `files` (plain names), and
    /// returns its exit code and its output; nil when the parser could not answer (the caller runs a fresh
    /// `python3`).
    func run(
        script: String, arguments: [String], files: [String: String], ignoringWarnings: Bool
    ) async -> Answer? {
        guard silentSessions < 3 else { return nil }
        if session == nil { start() }
        guard let requests else { return nil }
        let request = Request(script: script, argv: arguments, files: files, ignoreWarnings: ignoringWarnings)
        guard var line = try? JSONEncoder().encode(request) else { return nil }
        line.append(UInt8(ascii: "\n"))
        nextID += 1
        let id = nextID
        let generation = self.generation
        let timeout = self.timeout
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { await self.expire(id, generation: generation) }
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            pending.append(Pending(id: id, continuation: continuation))
            requests.yield(Array(line))
        }
    }

    /// Ends the process and waits for it to exit (its CPU is then counted in the process's children).
    public func shutdown() async {
        let running = session
        end(silent: false)
        await running?.value
    }

    private func start() {
        generation += 1
        starts += 1
        answeredInSession = 0
        let generation = self.generation
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        requests = continuation
        let sandbox = self.sandbox
        session = Task {
            await Self.serve(sandbox: sandbox, requests: stream) { line in
                await self.deliver(line, generation: generation)
            }
            await self.ended(generation: generation)
        }
    }

    /// An answer: the oldest request's (the process answers in order).
    private func deliver(_ line: [UInt8], generation: Int) {
        guard generation == self.generation, !pending.isEmpty else { return }
        let first = pending.removeFirst()
        answeredInSession += 1
        silentSessions = 0
        first.continuation.resume(returning: try? JSONDecoder().decode(Answer.self, from: Data(line)))
    }

    private func expire(_ id: UInt64, generation: Int) {
        guard generation == self.generation, pending.contains(where: { $0.id == id }) else { return }
        // A request that hangs it (crafted code can make a parse slow) says nothing of whether it can start.
        end(silent: false)
    }

    private func ended(generation: Int) {
        guard generation == self.generation else { return }
        end()
    }

    /// Stops the process of this generation: every request waiting gets nil (and falls back), the next starts anew.
    /// `silent`: count it among the processes that answered nothing, if it did not.
    private func end(silent: Bool = true) {
        guard session != nil else { return }
        if silent, answeredInSession == 0 { silentSessions += 1 }
        generation += 1
        session?.cancel()
        session = nil
        requests?.finish()
        requests = nil
        let waiting = pending
        pending = []
        for request in waiting { request.continuation.resume(returning: nil) }
    }

    /// Runs the process until it exits or the task is cancelled (swift-subprocess's teardown then kills its
    /// process group), writing `requests` to its standard input and handing each line it prints to `deliver`.
    private static func serve(
        sandbox: Sandbox, requests: AsyncStream<[UInt8]>, deliver: @escaping @Sendable ([UInt8]) async -> Void
    ) async {
        let user = sandbox.userForRun()
        guard
            let scratch = await BlockingIO.run({ () -> Scratch? in
                guard let scratch = try? Scratch() else { return nil }
                try? serverScript.write(toFile: scratch.path + "/server.py", atomically: false, encoding: .utf8)
                if sandbox.isolation != .bubblewrap { scratch.give(to: user) }
                return scratch
            })
        else { return }
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": scratch.path, "TMPDIR": scratch.path, "LANG": "C.UTF-8",
        ]
        let command = sandbox.wrap(
            ["python3", "-I", "server.py"], scratch: scratch.path, user: user, environment: environment)
        let configuration = BoundedRun.configuration(
            command, environment: environment, workingDirectory: scratch.path,
            teardown: [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)])
        _ = try? await Subprocess.run(
            configuration, input: .inputWriter, output: .sequence, error: .discarded
        ) { execution in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await request in requests {
                        _ = try await execution.standardInputWriter.write(request)
                    }
                    try await execution.standardInputWriter.finish()
                }
                var buffer: [UInt8] = []
                for try await chunk in execution.standardOutput {
                    chunk.withUnsafeBytes { buffer.append(contentsOf: $0) }
                    while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = Array(buffer[..<newline])
                        buffer.removeSubrange(...newline)
                        await deliver(line)
                    }
                }
                group.cancelAll()
            }
        }
        await BlockingIO.run { scratch.remove() }
    }

    /// The loop in the sandbox: a request per line, an answer per line, in order. Each request's files are written
    /// into the process's own folder (plain names only) and removed after; the script runs as `python3 -I -c` would
    /// run it (its `sys.argv`, `__name__ == "__main__"`, `SystemExit` as the exit code, an exception's traceback as
    /// output), with standard output and error captured together, and fresh globals each time.
    static let serverScript = #"""
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
            answers.write(json.dumps({"exit": status, "output": output.getvalue()[:LIMIT]}) + "\n")
            answers.flush()
        """#
}
