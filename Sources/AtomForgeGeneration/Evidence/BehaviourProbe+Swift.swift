import AtomForgeSystem
import Foundation

extension BehaviourProbe {
    /// `subject`'s Swift code with its dependencies, compiled once with every seed as a call and run: each call in a
    /// child process of its own (`fork`), so that a trap or an endless loop (one second, `alarm`) ends that call
    /// only. No inputs are derived: a Swift literal's type comes from the signature, which the seeds already fit.
    /// A seed that does not compile with this candidate (a literal of the wrong type, a label it does not have) is
    /// `unreadable` for it, so that every candidate is still compared on the same inputs; a value the model expected
    /// is typed as the call's result (`__probeAs(f(2), 4)`, the call never run) and written as outputs are.
    func swiftBehaviour(of subject: ValidationSubject, seeds: [String], expected: [String: String]) async -> Behaviour?
    {
        let inputs = Array(seeds.prefix(maxInputs))
        guard !inputs.isEmpty else { return Behaviour(inputs: [], outputs: []) }
        var dropped = Set<Int>()
        var unexpected = Set<Int>()
        // At most twice: the calls and expected values a first compile refuses are dropped for the second.
        for _ in 0..<2 {
            let token = AtomTestValidator.makeToken()
            let (program, lines) = Self.swiftProgram(
                subject, inputs: inputs, expected: expected, dropped: dropped, unexpected: unexpected, token: token)
            guard
                let run = try? await runner.run(
                    "sh",
                    [
                        "-c",
                        "swiftc -o program main.swift > compile.log 2>&1; status=$?; "
                            + "if [ $status -ne 0 ]; then head -c 60000 compile.log; exit 3; fi; "
                            + "rm -f main.swift compile.log; SWIFT_BACKTRACE=enable=no exec ./program",
                    ], files: ["main.swift": program])
            else { return nil }
            if run.exitCode == 3, !run.output.contains(token + "{") {
                // Compile errors on the lines of calls drop those calls; any other error means the candidate does
                // not compile with the probe at all.
                var refused = Set<Int>()
                var refusedExpectations = Set<Int>()
                var elsewhere = false
                for match in run.output.matches(of: #/main\.swift:(?<line>\d+):\d+: error:/#) {
                    guard let line = Int(match.line) else { continue }
                    if let index = lines.inputs[line] {
                        refused.insert(index)
                    } else if let index = lines.expectations[line] {
                        refusedExpectations.insert(index)
                    } else {
                        elsewhere = true
                    }
                }
                if elsewhere || (refused.isEmpty && refusedExpectations.isEmpty)
                    || !refused.isDisjoint(with: dropped) || !refusedExpectations.isDisjoint(with: unexpected)
                {
                    return Behaviour(inputs: [], outputs: [])
                }
                dropped.formUnion(refused)
                unexpected.formUnion(refusedExpectations)
                continue
            }
            guard let object = run.report(behind: token), let outputs = object["outputs"] as? [String],
                outputs.count == inputs.count
            else { return nil }
            let written = (object["expected"] as? [Any]).map { $0.map { $0 as? String } } ?? []
            return Behaviour(
                inputs: inputs.map(Self.digest), outputs: outputs.map(Self.digest),
                expected: written.count == inputs.count ? written.map { $0.map(Self.digest) } : [])
        }
        return Behaviour(inputs: [], outputs: [])
    }

    /// The program: the imports, the dependencies, the candidate, the probe's helpers, then one line per call (and
    /// one per expected value), each line known so that a compile error on it drops that call alone.
    static func swiftProgram(
        _ subject: ValidationSubject, inputs: [String], expected: [String: String], dropped: Set<Int>,
        unexpected: Set<Int>, token: String
    ) -> (program: String, lines: (inputs: [Int: Int], expectations: [Int: Int])) {
        let program = source(of: subject) + "\n\n" + swiftSupport + "\n"
        var lineOfInput: [Int: Int] = [:]
        var lineOfExpectation: [Int: Int] = [:]
        var line = program.count(of: "\n") + 1
        var body: [String] = []
        for (index, call) in inputs.enumerated() {
            let flat = call.replacingOccurrences(of: "\n", with: " ")
            if dropped.contains(index) {
                body.append("__probeOutputs.append(\"unreadable\")")
            } else {
                body.append("__probeOutputs.append(__probeRun { __probeShow(try \(flat)) })")
            }
            lineOfInput[line] = index
            line += 1
            if let value = expected[call], !dropped.contains(index), !unexpected.contains(index) {
                let flatValue = value.replacingOccurrences(of: "\n", with: " ")
                body.append("__probeExpected[\(index)] = __probeAs(try \(flat), \(flatValue))")
                lineOfExpectation[line] = index
                line += 1
            }
        }
        body.append("__probeReport(\(inputs.count), token: \"\(token)\")")
        return (program + body.joined(separator: "\n") + "\n", (lineOfInput, lineOfExpectation))
    }

    /// A long text as its start and a hash (64-bit FNV-1a: the same in every process), as the other probes write it.
    static func digest(_ text: String) -> String {
        guard text.count > 300 else { return text }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return String(text.prefix(120)) + "…#" + String(hash, radix: 16)
    }

    /// The probe's helpers: run one call in a child process (its stdout and stderr gone, one second on the clock),
    /// read back what it wrote on a pipe; a signal is a trap (`raise trap`) or the clock (`timeout`), a thrown
    /// error `raise <its type>`. Values are written by `String(reflecting:)`, the same type for every candidate of
    /// one signature.
    static let swiftSupport = EmbeddedFile.text(PackageResources.behaviour_probe_support_swift)
}
