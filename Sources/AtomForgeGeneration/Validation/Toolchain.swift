import AtomForgeModel
import Foundation

/// Finds the programs validators run, so that a language's check is used only where its toolchain is installed.
public enum Toolchain {
    /// The full path of `program` in `PATH`, or nil.
    public static func find(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The test runners whose programs are all installed.
    public static var installedTestRunners: Set<Language.TestRunner> {
        Set(Language.TestRunner.allCases.filter { $0.tools.allSatisfy { find($0) != nil } })
    }
}

extension ValidatorChain {
    /// The chain `settings` describe: structure first, then each language's syntax check whose tool is installed,
    /// then the atom's tests, then the configured commands; all in one sandbox.
    /// `runner`: the runner of the validators' programs; by default ``ToolRunner/standard(_:)`` of `settings`.
    public static func standard(_ settings: ValidationSettings, runner: ToolRunner? = nil) -> ValidatorChain {
        let runner = runner ?? ToolRunner.standard(settings)
        let sandbox = runner.sandbox
        var validators: [any Validator] = [StructuralValidator()]
        for language in Language.known {
            guard let check = language.syntaxCheck, Toolchain.find(check.tool) != nil else { continue }
            validators.append(SyntaxValidator(language, check: check, runner: runner))
        }
        if settings.runTests {
            validators.append(AtomTestValidator(runner: runner, available: Toolchain.installedTestRunners))
        }
        validators += settings.commands.map { CommandValidator($0, runner: runner) }
        return ValidatorChain(validators, isolation: sandbox.description)
    }
}

extension ToolRunner {
    /// The runner `validation` describes: its timeout, and a sandbox with its limits.
    public static func standard(_ settings: ValidationSettings) -> ToolRunner {
        let sandbox = Sandbox(
            isolation: settings.isolation, memoryBytes: settings.memoryMB << 20, maxProcesses: settings.maxProcesses,
            cpuSeconds: Int(settings.timeoutSeconds.rounded(.up)) + 1, scratchBytes: settings.scratchMB << 20,
            niceness: settings.nice)
        var runner = ToolRunner(timeout: .seconds(settings.timeoutSeconds), sandbox: sandbox)
        if settings.warmPython, Toolchain.find("python3") != nil {
            runner.warmParser = WarmParser.shared(sandbox: sandbox, timeout: runner.timeout)
            runner.warmRunner = WarmRunner.shared(sandbox: sandbox)
        }
        return runner
    }
}
