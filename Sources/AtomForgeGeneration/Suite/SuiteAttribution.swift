import AtomForgeModel
import Foundation

/// Pins each failing test of a plan's suite on the atoms it implicates: the innermost frame of its traceback that
/// falls in an atom's lines of `src/` (a failure inside a callee is the callee's, not its caller's, whose test it
/// was), or, when the exception never went through the tree (a wrong value returned and compared in the test), the
/// atoms the test's failing line calls. A failure neither places (a missing fixture, an import of something the
/// plan never planned) is the suite's own.
public enum SuiteAttribution {
    /// `result` with each failing test's `atoms` set, from the tree `layout` that was run.
    public static func attribute(_ result: SuiteResult, plan: Plan, layout: [String: AssembledFile]) -> SuiteResult {
        var result = result
        let atomsByID = Dictionary(plan.atoms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for index in result.tests.indices where result.tests[index].isFailure {
            let test = result.tests[index]
            var found: [String] = []
            for frame in (test.frames ?? []).reversed() {
                guard let file = layout[frame.file], let owner = file.owner(ofLine: frame.line), !owner.isImport
                else { continue }
                // A method placed in its class: the one the frame is in.
                found = [owner.methods.first { atomsByID[$0]?.name == frame.function } ?? owner.atom]
                break
            }
            if found.isEmpty, let line = test.line {
                found = plan.atoms.filter { atom in
                    atom.kind != .method && Self.calls(line, atom.name)
                }.map(\.id)
            }
            result.tests[index].atoms = found.isEmpty ? nil : found
        }
        return result
    }

    /// The atoms the failing tests of `result` implicate, each with those tests.
    public static func implicated(_ result: SuiteResult) -> [String: [SuiteResult.Test]] {
        var tests: [String: [SuiteResult.Test]] = [:]
        for test in result.tests {
            for atom in test.atoms ?? [] { tests[atom, default: []].append(test) }
        }
        return tests
    }

    /// Whether `line` calls `name` (`name(` or `x.name(`, not `other_name(`).
    package static func calls(_ line: String, _ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        var rest = Substring(line)
        while let range = rest.range(of: name + "(") {
            let before = rest[..<range.lowerBound].last
            if before.map({ !($0.isLetter || $0.isNumber || $0 == "_") }) ?? true { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }
}
