import AtomForgeModel

/// One example a planner wrote into an atom's description, turned into a check that runs like a test.
public struct DescriptionExample: Sendable, Equatable {
    /// The call of the atom it exercises (`slugify('Hello, World!')`): an input for comparing candidates.
    public var call: String
    /// The statement the tests run (`assert slugify('Hello, World!') == 'hello-world'`).
    public var check: String
    /// Its line in the description (from 1), for messages.
    public var line: Int
    /// The value the call should give, as written (`'hello-world'`), when the example compares the call with a
    /// value; nil for other assertions (`assert len(f(3)) == 2`).
    public var expected: String?

    public init(call: String, check: String, line: Int, expected: String? = nil) {
        self.call = call
        self.check = check
        self.line = line
        self.expected = expected
    }
}

extension DescriptionExample {
    /// The checks of `examples` as one test text in `language`, with the modules Python checks name imported first
    /// (`assert math.isclose(area(2), 12.56, rel_tol=1e-2)` needs `math`, which the atom's code may not import).
    public static func tests(_ examples: [DescriptionExample], language: Language) -> String {
        guard !examples.isEmpty else { return "" }
        var lines: [String] = []
        if language.testRunner == .python {
            let modules = [
                "math", "cmath", "re", "collections", "itertools", "heapq", "string", "functools", "operator",
            ]
            for module in modules where examples.contains(where: { $0.check.contains(module + ".") }) {
                lines.append("import \(module)")
            }
        }
        return (lines + examples.map(\.check)).joined(separator: "\n") + "\n"
    }
}
