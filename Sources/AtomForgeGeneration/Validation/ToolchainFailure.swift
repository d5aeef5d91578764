import AtomForgeModel

/// The kind of a Swift test program's failure that no harness could name: a program that did not compile never ran
/// a line of the harness, and a trap ends it before any code of its own can speak. swiftc and the Swift runtime say
/// what went wrong only in their diagnostics, so this is the one place that reads a tool's words for a kind, each
/// matched to the diagnostic it stands for. Python's and JavaScript's harnesses name the kind themselves
/// (``AtomTestValidator/report(after:in:)``).
enum ToolchainFailure {
    /// The kind `output` of a failed Swift test program shows; nil when it shows none of them.
    static func kind(ofSwift output: String) -> FailureKind? {
        // swiftc's diagnostics (`main.swift:3:5: error: …`); "cannot find 'x' in scope" is an undefined name.
        if output.contains(": error: ") {
            return output.contains("cannot find") && output.contains("in scope") ? .name : .compile
        }
        // __atomforgeExpectEqual's report (test-harness-support.swift), or the standard library's `assert` trap.
        if output.hasPrefix("test failed at") || output.contains("Assertion failed") { return .assertion }
        return nil
    }
}
