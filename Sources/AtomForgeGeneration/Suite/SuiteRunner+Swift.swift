import AtomForgeSystem

extension SuiteRunner {
    /// Writes the tree and the suite, compiles them into one program (the tree's files, the suite's, and a
    /// `main.swift` that runs the test function its argument names; the suite's own `main.swift` instead, when it
    /// has one, as a single test), runs each test in a process of its own with its limit and Swift's backtracer on,
    /// and prints one line behind the token: each test's outcome, with the frames of the backtrace that fall in
    /// `src/` and the test's line. The token stays in this process: the tests run in the compiled program.
    static let swift = EmbeddedFile.text(PackageResources.suite_driver_swift_py)
}
