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
    static let swiftSupport = #"""
        import Glibc

        var __probeOutputs: [String] = []
        var __probeExpected: [Int: String] = [:]

        func __probeShow<T>(_ value: T) -> String { String(reflecting: value) }

        /// The expected value, typed as the call's result; the call itself is never made.
        func __probeAs<T>(_ call: @autoclosure () throws -> T, _ value: T) -> String { __probeShow(value) }

        let __probeStart = time(nil)

        func __probeRun(_ body: () throws -> String) -> String {
            // Eight seconds for all the calls: what comes after counts for no one.
            if time(nil) - __probeStart > 8 { return "skipped" }
            fflush(stdout)
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { return "skipped" }
            let child = fork()
            if child == 0 {
                close(ends[0])
                let quiet = open("/dev/null", O_WRONLY)
                dup2(quiet, 1)
                dup2(quiet, 2)
                alarm(1)
                var text: String
                do { text = try body() } catch { text = "raise \(type(of: error))" }
                let bytes = Array(text.utf8.prefix(100_000))
                var offset = 0
                while offset < bytes.count {
                    let written = bytes.withUnsafeBytes { write(ends[1], $0.baseAddress! + offset, $0.count - offset) }
                    if written <= 0 { break }
                    offset += written
                }
                _exit(0)
            }
            close(ends[1])
            guard child > 0 else { close(ends[0]); return "skipped" }
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, $0.count) }
                if count <= 0 { break }
                data += buffer[0..<count]
            }
            close(ends[0])
            var status: Int32 = 0
            waitpid(child, &status, 0)
            let signal = status & 0x7f
            if signal == SIGALRM { return "timeout" }
            if signal != 0 { return "raise trap" }
            // A value is never written as nothing: the call ended the process itself.
            if data.isEmpty { return "exit \((status >> 8) & 0xff)" }
            return String(decoding: data, as: UTF8.self)
        }

        func __probeJSON(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }

        func __probeReport(_ count: Int, token: String) {
            let outputs = __probeOutputs.map(__probeJSON).joined(separator: ",")
            let expected = (0..<count).map { __probeExpected[$0].map(__probeJSON) ?? "null" }.joined(separator: ",")
            print(token + "{\"outputs\":[" + outputs + "],\"expected\":[" + expected + "]}")
            fflush(stdout)
        }
        """#
}
