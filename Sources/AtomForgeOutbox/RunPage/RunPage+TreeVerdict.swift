import AtomForgeGeneration

extension RunPage {
    /// What the assembled tree came to at the end of a run: the files that do not load for a reason no atom owns,
    /// and the plan's suite with its rounds.
    package struct TreeVerdict: Sendable, Equatable {
        var treeProblems: [String] = []
        var suite: SuiteResult?
        var rounds: [SuiteRound] = []

        init() {}

        package init(_ outcome: PlanOutcome) {
            treeProblems = outcome.treeProblems
            suite = outcome.suite
            rounds = outcome.suiteRounds
        }

        /// Whether the tree loads and the suite (if any) passes.
        var holds: Bool { treeProblems.isEmpty && (suite?.passes ?? true) }
    }

    /// The tree's section of the page: the files that do not load, the suite's line, its rounds, and each test that
    /// did not pass with the atoms it implicates (links that open them).
    func verdictSection() -> String {
        guard !verdict.treeProblems.isEmpty || verdict.suite != nil else { return "" }
        var text = "<section class=\"tree-verdict\" id=\"suite\">\n"
        if !verdict.treeProblems.isEmpty {
            text += "<h2>The generated tree does not load</h2>\n<ul>\n"
            for problem in verdict.treeProblems { text += "<li><code>\(HTMLText.escape(problem))</code></li>\n" }
            text += "</ul>\n"
        }
        if let suite = verdict.suite {
            let state = suite.passes ? "passed" : "failed"
            text += "<h2>The plan's suite <span class=\"status \(state)\">\(state)</span></h2>\n"
            text += "<p class=\"suite-line\">\(HTMLText.escape(suite.line))</p>\n"
            if !verdict.rounds.isEmpty {
                text += "<ol class=\"suite-rounds\">\n"
                for round in verdict.rounds { text += "<li>\(HTMLText.escape(round.line))</li>\n" }
                text += "</ol>\n"
            }
            let failing = suite.failing
            if !failing.isEmpty {
                text += "<ul class=\"suite-failures\">\n"
                for test in failing.prefix(50) {
                    text += "<li><code>\(HTMLText.escape(test.name))</code> \(test.outcome.rawValue)"
                    if let atoms = test.atoms {
                        text += ", implicates "
                        text += atoms.map {
                            "<a href=\"#atom-\(HTMLText.escape($0))\">\(HTMLText.escape($0))</a>"
                        }.joined(separator: ", ")
                    }
                    if let message = test.message, !message.isEmpty {
                        text += "<pre>\(HTMLText.escape(message))</pre>"
                    }
                    text += "</li>\n"
                }
                text += "</ul>\n"
            }
        }
        return text + "</section>\n"
    }
}
