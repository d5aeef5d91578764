import AtomForgeSystem

/// The programs that run an atom's tests and turn a failure into something a model can act on: the failing
/// assertion in its context (which section, which line), the values of both sides of a failing comparison looked up
/// in the frame that failed (a helper the tests call included), and for an exception the call that raised it with
/// its arguments, instead of a raw traceback.
///
/// Each harness also proves that the tests ran to their end: it prints a token (read from a file it deletes before
/// any of the program runs) after the last test, and puts a marker in front of its report of a failure, so that what
/// the program printed never hides the report. Code that exits early (`sys.exit(0)`, `os._exit(0)`,
/// `process.exit(0)`, `exit(0)`) never reaches that line, so it cannot pass by skipping the tests.
///
/// The Python harness also keeps the token out of the code's reach, so that the verdict is the harness's own: the
/// program and its tests run in a thread of their own while the main thread (the only one Python hands signal
/// handlers' frames to) waits; an audit hook, installed before any of the program runs, refuses the code every way
/// to a frame (`sys._getframe`, `tb_frame`, `gi_frame`, `sys._current_frames`, trace functions, `gc`), to the
/// process's memory (ctypes, cffi, `/proc/<pid>/mem`, bytecode it makes itself) and to a copy of the process (fork);
/// the token is held in one buffer, wiped as soon as a test fails (before frames are read to describe the failure),
/// and the report's marker is a secret of its own (``reportTokenFile``), so that reading it tells nothing of the
/// token. What ran is checked against the tests as written, so that code that hides, removes or replaces a test (or
/// what the harness uses to find the tests) fails. Programs the code starts cannot read the harness's memory only
/// where it is not dumpable (a run's own user: ``Sandbox`` starts it with real and effective ids apart).
enum TestHarness {
    /// The file the token is written to, in the scratch folder; the harness removes it before the program runs.
    static let tokenFile = "done-token"
    /// The file holding the names the plan's other atoms define, one a line (``ValidationSubject/knownNames``).
    static let knownNamesFile = "known-names"
    /// The Python harness's marker of a failure's report (`<marker>:report:<kind>`), a secret of its own: the code may read
    /// the report (its own output), never the token. The harness removes it before the program runs.
    static let reportTokenFile = "report-token"

    static let python = EmbeddedFile.text(PackageResources.test_harness_py)

    /// Runs `program.js` for its tests: `console.assert` throws (in Node it only prints, so a failing test would
    /// pass), an uncaught error is reported with its place in the program, and the token is printed only when the
    /// event loop empties by itself (`process.exit` skips it).
    static let javascript = EmbeddedFile.text(PackageResources.test_harness_js)

    /// Appended to a Swift test program: `__atomforgeExpectEqual` is what `assert(a == b)` lines of the tests are
    /// rewritten into, so that a failure shows both values, not only `Assertion failed`.
    static let swiftSupport = EmbeddedFile.text(PackageResources.test_harness_support_swift)
}
