import AtomForgeSystem

extension SuiteRunner {
    /// Writes the tree and the suite, runs pytest on the suite with a collecting plugin, and prints one line behind
    /// the token: each test's outcome, the collection errors, pytest's exit status. Before each test it prints a line
    /// naming it (what a timeout of the whole run reports), and each test is cut at its own limit by a timer signal
    /// (a loop in Python code ends there; one inside a C call ends at the memory limit or the suite's timeout).
    static let python = EmbeddedFile.text(PackageResources.suite_driver_py)
}
