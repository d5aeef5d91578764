import AtomForgeModel
import AtomForgeSystem
import Foundation
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
/// next call starts another, and the call itself falls back to a fresh `python3`: a result never depends on it
/// (``SandboxedService``).
public actor WarmParser {
    /// What the process answered.
    package struct Answer: Decodable {
        package var exit: Int32
        package var output: String
    }

    private struct Request: Encodable {
        var id: UInt64
        var script: String
        var argv: [String]
        var files: [String: String]
        var ignoreWarnings: Bool

        enum CodingKeys: String, CodingKey {
            case id, script, argv, files
            case ignoreWarnings = "ignore_warnings"
        }
    }

    private let sandbox: Sandbox
    private let timeout: Duration
    private let service: SandboxedService

    /// Processes started so far: a test's view of restarts.
    public var starts: Int { get async { await service.starts } }

    /// A parser in `sandbox` (its CPU limit raised: the process lives for many requests; the timeout bounds each).
    public init(sandbox: Sandbox, timeout: Duration) {
        var sandbox = sandbox
        sandbox.cpuSeconds = max(sandbox.cpuSeconds, 3600)
        self.sandbox = sandbox
        self.timeout = timeout
        let wrapping = sandbox
        service = SandboxedService(
            SandboxedService.Program(script: Self.serverScript, fileName: "server.py") { scratch, environment in
                let user = wrapping.userForRun()
                if wrapping.isolation != .bubblewrap { scratch.give(to: user) }
                return wrapping.wrap(
                    ["python3", "-I", "server.py"], scratch: scratch.path, user: user, environment: environment)
            })
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
    package func run(
        script: String, arguments: [String], files: [String: String], ignoringWarnings: Bool
    ) async -> Answer? {
        let line = await service.call(timeout: timeout) { id in
            let request = Request(
                id: id, script: script, argv: arguments, files: files, ignoreWarnings: ignoringWarnings)
            return (try? JSONEncoder().encode(request)).map { Array($0) + [UInt8(ascii: "\n")] }
        }
        return line.flatMap { try? JSONDecoder().decode(Answer.self, from: $0) }
    }

    /// Ends the process and waits for it to exit (its CPU is then counted in the process's children).
    public func shutdown() async {
        await service.shutdown()
    }

    /// The loop in the sandbox: a request per line, an answer per line naming its `id`, in order. Each request's files are written
    /// into the process's own folder (plain names only) and removed after; the script runs as `python3 -I -c` would
    /// run it (its `sys.argv`, `__name__ == "__main__"`, `SystemExit` as the exit code, an exception's traceback as
    /// output), with standard output and error captured together, and fresh globals each time.
    static let serverScript = EmbeddedFile.text(PackageResources.warm_parser_py)
}
