import AtomForgeModel
import AtomForgeSystem
import Foundation

/// The call that asks the model for inputs to run candidates on: from the atom's description and name alone, never
/// from a candidate's code (inputs drawn from one candidate would favour it). The calls are taken from the reply;
/// when asked for, so are the values the model expects them to give, which only weigh in the vote
/// (``AgreementVote``): a small model's expectations are often wrong and must not decide.
public enum InputProposal {
    /// The system prompt and the message for `atom`, asking for `count` calls (with the value each should give,
    /// when `expecting`); `examples` show the calls' shape.
    public static func request(
        for atom: Atom, count: Int, examples: [String], expecting: Bool = false
    ) -> (system: String, prompt: String) {
        let runner = atom.language.testRunner
        let language =
            switch runner {
            case .javascript?: "JavaScript"
            case .typescript?: "TypeScript"
            default: atom.language.name.capitalized
            }
        let values =
            switch runner {
            case .javascript?, .typescript?: "numbers, strings, booleans, arrays, objects"
            case .swift?: "numbers, strings, booleans, arrays, dictionaries, with the parameters' labels"
            default: "numbers, strings, lists, tuples, dicts"
            }
        let system: String
        var prompt: String
        if expecting {
            let form =
                switch runner {
                case .javascript?, .typescript?: "assert.deepStrictEqual(\(atom.name)(...), expected);"
                case .swift?: "assert(\(atom.name)(...) == expected)"
                default: "assert \(atom.name)(...) == expected"
                }
            system =
                "You write test cases for \(language) functions. Reply with one code block of assertions, nothing else."
            prompt = "Write \(count) different assertions for the \(language) function `\(atom.name)` described below, "
            prompt += "one per line, each of the form `\(form)`, where the arguments and the expected result are "
            prompt += "literal values (\(values)). Cover ordinary inputs and edge cases the description allows. "
            prompt += "Write only the assertions: no prints, no other text.\n\n"
        } else {
            system =
                "You write test inputs for \(language) functions. Reply with one code block of calls, nothing else."
            prompt = "Write \(count) different calls of the \(language) function `\(atom.name)` described below, "
            prompt += "one per line, each a single expression like `\(atom.name)(...)` whose arguments are literal "
            prompt += "values (\(values)). Cover ordinary inputs and edge cases the description "
            prompt += "allows. Write only the calls: no expected results, no assertions, no prints, no other text.\n\n"
        }
        prompt += "Description of `\(atom.name)`:\n\(atom.description.trimmingWhitespace())\n"
        if !examples.isEmpty {
            prompt += "\nCalls already known (write others of the same shape):\n"
            prompt += examples.prefix(3).joined(separator: "\n") + "\n"
        }
        return (system, prompt)
    }

    /// The calls of `name` in `reply`, each once, at most `limit`: one per line, the first call of the name on it
    /// (so `print(f(1))` and `assert f(1) == 2` give `f(1)`); a call left unbalanced or with an ellipsis is dropped.
    public static func calls(in reply: String, name: String, limit: Int) -> [String] {
        var seen = Set<String>()
        var calls: [String] = []
        for line in reply.split(separator: "\n") where calls.count < limit {
            let text = String(line).trimmingWhitespace()
            guard let call = DescriptionExamples.Scanner.call(of: name, in: text),
                !DescriptionExamples.Scanner.hasEllipsis(call), call.count <= 2000
            else { continue }
            if seen.insert(call).inserted { calls.append(call) }
        }
        return calls
    }

    /// The values the model expects calls of `atom` to give, by call, read as a description's examples are
    /// (``DescriptionExamples``: a value written out, compared with the bare call; anything else dropped), for the
    /// calls in `calls` only.
    public static func expectations(in reply: String, of atom: Atom, calls: [String]) -> [String: String] {
        let wanted = Set(calls)
        var expected: [String: String] = [:]
        for example in DescriptionExamples.read(reply, name: atom.name, language: atom.language) {
            guard let value = example.expected, wanted.contains(example.call) else { continue }
            expected[example.call] = value
        }
        return expected
    }
}
