import AtomForgeSystem

extension SuiteRunner {
    /// Writes the tree and the suite (TypeScript compiled to JavaScript beside it first, with source maps), runs
    /// `node --test` on the suite's files with AtomForge's reporter and preload, and prints one line behind the
    /// token: each test's outcome (its id `suite/test_x.js::describe > it`), the files that failed before any test
    /// ran, and an exit status (5: no tests). Before each test it prints a line naming it. The token stays in this process: the tests run in processes of their own, under the runner's, and what
    /// they print goes to the runner, never here.
    static let javascript = EmbeddedFile.text(PackageResources.suite_driver_js)

    /// The reporter, loaded in `node --test`'s own process (which runs no test code): each event as a line of JSON,
    /// its error reduced to what the driver reads (an Error's own fields do not survive `JSON.stringify`).
    static let javascriptReporter = EmbeddedFile.text(PackageResources.suite_reporter_mjs)

    /// Loaded before each suite file, in the file's process: before each test it lets the event loop turn, so that
    /// the results so far leave the process before a test that never yields; a watchdog thread ends the process
    /// when a test runs past its limit (a loop that never yields cannot be cut from inside), noting the file, and
    /// the driver names the test that was running from the runner's events.
    static let javascriptPreload = EmbeddedFile.text(PackageResources.suite_preload_js)
}
