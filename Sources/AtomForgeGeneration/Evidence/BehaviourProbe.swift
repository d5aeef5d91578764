import AtomForgeModel
import AtomForgeSystem
import Foundation

/// What one candidate did on each input: its value in a canonical text (`[1,2]`, `'ab'`), `raise ValueError`, or
/// `timeout`; or why it could not be run at all.
public struct Behaviour: Sendable, Equatable {
    public var inputs: [String]
    public var outputs: [String]
    /// For each input, the output the model expected there, written as outputs are; nil where it wrote none.
    public var expected: [String?]

    public init(inputs: [String], outputs: [String], expected: [String?] = []) {
        self.inputs = inputs
        self.outputs = outputs
        self.expected = expected
    }
}

/// Runs a candidate on many inputs in one sandboxed process (through the warm runner when there is one), so that
/// candidates can be told apart by what they do rather than by how they read.
///
/// The inputs are calls of the atom (`f([3, 1, 2])`): the description's examples, the model's proposals, and inputs
/// derived from those whose arguments are literals (an empty list, one element, reversed, zero, minus one, an empty
/// string…). Derivation is deterministic, so every candidate of an atom sees the same inputs. Values are compared as
/// tests compare them: `True` equals `1`, `2.0` equals `2`, floats to nine digits, sets and dicts without order; a
/// function that returns nothing is judged by what it did to its arguments, an `async` one by what it awaits to,
/// and what a call prints is part of its behaviour. An input the probe ran out of time for (eight seconds for all)
/// is `skipped`, and counts for no one.
public struct BehaviourProbe: Sendable {
    package let runner: ToolRunner
    /// The most inputs one candidate is run on, seeds included.
    let maxInputs: Int

    public init(runner: ToolRunner, maxInputs: Int) {
        self.runner = runner
        self.maxInputs = maxInputs
    }

    /// Whether the probe can run `atom`: a free function in a language with a probe (a method's inputs would need
    /// an instance).
    public static func applies(to atom: Atom) -> Bool {
        atom.language.testRunner != nil && atom.kind == .function
    }

    /// `subject`'s code with its dependencies, run on `seeds` and what is derived from them; nil when the probe
    /// itself could not run (the sandbox refused, the output was lost).
    ///
    /// `expected` maps some of the seeds to the value the model expects the call to give (``InputProposal``); the
    /// probe writes each such value as it writes outputs, so that the vote can tell which candidates meet it.
    public func behaviour(
        of subject: ValidationSubject, seeds: [String], expected: [String: String] = [:]
    ) async -> Behaviour? {
        if subject.atom.language.testRunner == .swift {
            return await swiftBehaviour(of: subject, seeds: seeds, expected: expected)
        }
        let program = Self.source(of: subject) + "\n"
        let token = AtomTestValidator.makeToken()
        let seedsJSON = (try? String(decoding: JSONEncoder().encode(seeds), as: UTF8.self)) ?? "[]"
        let expectedJSON = (try? String(decoding: JSONEncoder().encode(expected), as: UTF8.self)) ?? "{}"
        var files = ["inputs.json": seedsJSON, "expected.json": expectedJSON, TestHarness.tokenFile: token]
        let run: ToolRunner.Run?
        switch subject.atom.language.testRunner {
        case .javascript?:
            files["program.js"] = program
            files["probe.js"] = Self.javascript
            run = try? await runner.run(
                "node", ["probe.js", "program.js", subject.atom.name, "\(maxInputs)"], files: files)
        case .typescript?:
            // Transpiled as the atom's tests are (type errors do not stop it), then probed as JavaScript; the
            // inputs are literals both languages read.
            files["program.ts"] = program
            files["probe.js"] = Self.javascript
            let name = ShellWord.quote(subject.atom.name)
            run = try? await runner.run(
                "sh",
                [
                    "-c",
                    "tsc --target es2020 --module commonjs --skipLibCheck --outDir . program.ts >/dev/null 2>&1; "
                        + "exec node probe.js program.js \(name) \(maxInputs)",
                ], files: files)
        default:
            files["program.py"] = program
            files["probe.py"] = Self.python
            run = try? await runner.runPython(
                ["probe.py", "program.py", subject.atom.name, "\(maxInputs)"], files: files)
        }
        guard let object = run?.report(behind: token) else { return nil }
        if object["error"] != nil { return Behaviour(inputs: [], outputs: []) }
        guard let inputs = object["inputs"] as? [String], let outputs = object["outputs"] as? [String],
            inputs.count == outputs.count
        else { return nil }
        let written = (object["expected"] as? [Any]).map { $0.map { $0 as? String } } ?? []
        return Behaviour(
            inputs: inputs, outputs: outputs, expected: written.count == inputs.count ? written : [])
    }

    /// The program a candidate is probed in: its imports and its dependencies' imports, its dependencies' code, then
    /// its own.
    static func source(of subject: ValidationSubject) -> String {
        var header = subject.allImports.joined(separator: "\n")
        if !header.isEmpty { header += "\n" }
        let dependencies = subject.dependencyCode.joined(separator: "\n\n")
        return header + (dependencies.isEmpty ? "" : dependencies + "\n\n") + subject.runnableCode
    }

    /// The probe: loads the program, derives the inputs, runs the function on each with a time limit, and prints
    /// one line on a descriptor of its own, behind a token it reads from a file it deletes first (a guard against
    /// accidents, like the test harness's; the sandbox is what contains hostile code). Long values and inputs are
    /// sent as their start and a hash, so the line stays within the runner's output limit.
    static let python = EmbeddedFile.text(PackageResources.behaviour_probe_py)
}
