import Foundation

/// The call that asks the model for inputs to run candidates on: from the atom's description and name alone, never
/// from a candidate's code (inputs drawn from one candidate would favour it). Only the calls are taken from the
/// reply; any expected values the model writes beside them are dropped, since a small model's expectations are
/// often wrong and must not decide.
public enum InputProposal {
    /// The system prompt and the message for `atom`, asking for `count` calls; `examples` show the calls' shape.
    public static func request(for atom: Atom, count: Int, examples: [String]) -> (system: String, prompt: String) {
        let language = atom.language.testRunner == .javascript ? "JavaScript" : atom.language.name.capitalized
        let system = "You write test inputs for \(language) functions. Reply with one code block of calls, nothing else."
        var prompt = "Write \(count) different calls of the \(language) function `\(atom.name)` described below, "
        let values =
            atom.language.testRunner == .javascript
            ? "numbers, strings, booleans, arrays, objects" : "numbers, strings, lists, tuples, dicts"
        prompt += "one per line, each a single expression like `\(atom.name)(...)` whose arguments are literal values "
        prompt += "(\(values)). Cover ordinary inputs and edge cases the description "
        prompt += "allows. Write only the calls: no expected results, no assertions, no prints, no other text.\n\n"
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
}
