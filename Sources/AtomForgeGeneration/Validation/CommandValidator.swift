import AtomForgeModel
import AtomForgeSystem

/// A program from `validation.commands`, run inside the sandbox on a file holding the atom's code; a non-zero exit
/// fails the attempt, and its output (cut to a sane size) is the message.
public struct CommandValidator: Validator {
    public let name: String
    private let settings: CommandSettings
    private let runner: ToolRunner

    public init(_ settings: CommandSettings, runner: ToolRunner) {
        self.name = "command:\(settings.name)"
        self.settings = settings
        self.runner = runner
    }

    public func applies(to atom: Atom) -> Bool {
        // `js`, `py`…: a language is named as plans name it.
        settings.languages.isEmpty || settings.languages.contains { Language.named($0).name == atom.language.name }
    }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        let fileName = "atom." + (subject.atom.language.fileExtensions.first ?? "txt")
        let command = settings.run.map { $0.replacing("{file}", with: fileName) }
        let run: ToolRunner.Run
        do {
            run = try await runner.run(command[0], Array(command.dropFirst()), files: [fileName: subject.code + "\n"])
        } catch {
            return [ValidationIssue(.critical, "\(error)", validator: name)]
        }
        if run.timedOut { return [ValidationIssue(.error, "\(settings.name) did not finish in time", validator: name)] }
        guard run.exitCode != 0 else { return [] }
        var output = run.output.trimmingWhitespace()
        if output.count > 2000 { output = String(output.prefix(2000)) + "\n…" }
        return [
            ValidationIssue(
                .error, output.isEmpty ? "\(settings.name) exited with \(run.exitCode)" : output, validator: name)
        ]
    }
}
