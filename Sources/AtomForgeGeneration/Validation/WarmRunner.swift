import AtomForgeModel
import AtomForgeSystem
import Foundation
import Synchronization

/// Runs Python tests in a fresh process each without starting a sandbox and an interpreter each time: one
/// long-lived `python3` in the bubblewrap sandbox (the zygote) forks, for every run, a process that gives itself what
/// a fresh sandbox would give it, then runs the test harness in the interpreter it already has. A run costs a few
/// forks instead of bubblewrap's set-up, five programs started before the code (`sh`, `cp`, `chown`, `setpriv`,
/// `prlimit`) and the interpreter's start-up.
///
/// What each run gets, as a run of ``ToolRunner/run(_:_:files:)`` under bubblewrap gets it:
/// - a process of its own, in PID, mount, network, IPC and UTS namespaces of its own (no interface but its own
///   loopback; its own `/proc`; everything it forks dies with it), under an init that is not the code;
/// - its scratch folder and `/tmp` each a tmpfs of `validation.scratch_mb` of its own (no other run's files are
///   visible: they are in other mount namespaces), on the same minimal read-only root with `/dev` read-only;
/// - a user id of its own, no groups, no capabilities, `no_new_privs`, and the limits (data size, file size, open
///   files, CPU seconds, processes, no core) set before any of the code runs; the environment only `PATH`, `HOME`,
///   `TMPDIR` and `LANG`; the timeout enforced by its own parent, which kills the namespace.
/// The zygote reads nothing from the code and never runs it; each run's request is read by a process forked before
/// it came (so no run's memory holds another's code), and the run's descriptors are closed before the harness
/// starts, so the code cannot reach the zygote, the requests or the answers.
///
/// Only under bubblewrap and as root (the users of its own need it); elsewhere, and after any failure (the zygote
/// cannot start, dies, or does not answer: ``SandboxedService``), tests run through ``ToolRunner/run(_:_:files:)``
/// as before.
public actor WarmRunner {
    struct Answer: Decodable {
        var id: UInt64
        var exit: Int32?
        var timedOut: Bool?
        var output: String?
        var tail: String?
        /// How many bytes the program wrote in all.
        var written: Int?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case id, exit, output, tail, error, written
            case timedOut = "timed_out"
        }
    }

    private struct Limits: Encodable {
        var scratch: Int
        var data: Int
        var file: Int
        var cpu: Int
        var processes: Int
    }

    private struct Request: Encodable {
        var id: UInt64
        var argv: [String]
        var files: [String: String]
        var environment: [String: String]
        var scratch: String
        var uid: UInt32
        var timeout: Double
        var outputLimit: Int
        var limits: Limits

        enum CodingKeys: String, CodingKey {
            case id, argv, files, environment, scratch, uid, timeout, limits
            case outputLimit = "output_limit"
        }
    }

    private let sandbox: Sandbox
    private let service: SandboxedService

    /// Processes started so far: a test's view of restarts.
    public var starts: Int { get async { await service.starts } }
    /// Why its last run that fell back to a fresh sandbox did: no answer, or the zygote's error (for tests and logs).
    public private(set) var lastFallback: String?

    /// Runs it answered (a test's proof that it, not a fresh sandbox, ran them).
    public var answered: Int { get async { await service.answered } }

    /// A runner in `sandbox` whose zygote compiles each of `preloaded` (a script's file name and text; nil: the test
    /// harness) once: a run of that script with that very text starts from the compiled code instead of compiling it
    /// again (3 ms of CPU for the test harness, a fifth of a run).
    public init(sandbox: Sandbox, preloaded: [String: String]? = nil) {
        self.sandbox = sandbox
        let scripts = preloaded ?? ["harness.py": TestHarness.python]
        let files = Dictionary(uniqueKeysWithValues: scripts.map { ("preload-\($0.key)", $0.value) })
        service = SandboxedService(
            SandboxedService.Program(script: Self.zygoteScript, fileName: "zygote.py", files: files) {
                scratch, environment in
                sandbox.wrapRunner(["python3", "-I", "zygote.py"], scratch: scratch.path, environment: environment)
            })
    }

    /// The runner of this process for `sandbox`, made on first use; nil where runs need a fresh sandbox each (not
    /// bubblewrap, or not root).
    public static func shared(sandbox: Sandbox) -> WarmRunner? {
        guard sandbox.isolation == .bubblewrap, CurrentProcess.isRoot else { return nil }
        return sharedRunners.withLock { runners in
            if let found = runners.first(where: { $0.sandbox == sandbox }) { return found.runner }
            let runner = WarmRunner(sandbox: sandbox)
            runners.append((sandbox, runner))
            return runner
        }
    }

    private static let sharedRunners = Mutex<[(sandbox: Sandbox, runner: WarmRunner)]>([])

    /// Runs `python3 -I script arguments…` (`arguments[0]` is the script) in a fresh folder holding `files`, cut at
    /// `timeout`; nil when the runner could not (the caller runs it in a fresh sandbox).
    package func run(
        _ arguments: [String], files: [String: String], timeout: Duration, outputLimit: Int
    ) async -> ToolRunner.Run? {
        // A run without a user of its own would keep the zygote's root and capabilities: never (a fresh sandbox then
        // runs it, as root without capabilities, as it always has).
        guard !arguments.isEmpty, let user = sandbox.userForRun() else { return nil }
        let sandbox = self.sandbox
        // The run's own parent enforces `timeout`; the service's is for a zygote that stopped answering.
        // Its set-up has 20 s of its own before the program's timeout starts.
        let line = await service.call(timeout: timeout + .seconds(50)) { id in
            // In the run's own /tmp (a tmpfs of its mount namespace, over the zygote's): no other run's folder is
            // there.
            let folder = "/tmp/atomforge-\(CurrentProcess.userID)/\(CurrentProcess.id)-run-\(id)"
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                "HOME": folder, "TMPDIR": folder, "LANG": "C.UTF-8",
            ]
            let request = Request(
                id: id, argv: ["python3"] + arguments, files: files, environment: environment, scratch: folder,
                uid: user, timeout: timeout.seconds, outputLimit: outputLimit,
                limits: Limits(
                    scratch: sandbox.scratchBytes, data: sandbox.memoryBytes, file: sandbox.maxFileBytes,
                    cpu: sandbox.cpuSeconds, processes: sandbox.maxProcesses))
            guard let body = try? JSONEncoder().encode(request) else { return nil }
            return Array("\(body.count)\n".utf8) + Array(body)
        }
        guard let line, let answer = try? JSONDecoder().decode(Answer.self, from: line), answer.error == nil,
            let exit = answer.exit, let output = answer.output
        else {
            lastFallback =
                line == nil
                ? "no answer"
                : (try? JSONDecoder().decode(Answer.self, from: line!))?.error ?? "an answer it could not read"
            return nil
        }
        // Cut at `outputLimit` by the run's parent, with the line saying so, as ``ToolRunner/run(_:_:files:)`` cuts.
        return ToolRunner.Run(
            exitCode: exit, output: output, outputTail: answer.tail ?? output, timedOut: answer.timedOut ?? false,
            outputBytes: answer.written ?? 0)
    }

    /// Ends the zygote and waits for it to exit.
    public func shutdown() async {
        await service.shutdown()
    }

    /// The zygote: forks a spare process that waits for the next request (so that the zygote itself never holds a
    /// request), the first process of a PID namespace of its own; the spare, once it has a request, gives itself the
    /// run's other namespaces and folders and forks the program, whose init it is (see the type's documentation).
    /// A request is its length on a line, then its JSON (read to its exact end, so that a spare never takes the next
    /// one's bytes); answers are JSON lines, written under a lock.
    static let zygoteScript = EmbeddedFile.text(PackageResources.warm_runner_py)
}
