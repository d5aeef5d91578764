import ArgumentParser
import AtomForge
import Foundation

/// `atomforge prompt PLAN ATOM`: the first request AtomForge would send for an atom, without sending it.
struct PromptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompt",
        abstract: "Print the exact request AtomForge would send first for an atom, without sending it.",
        discussion: """
            Builds the first step of the atom's ladder as a run does, with the config's model, ladder and prompts, \
            and encodes it as the provider would: the system prompt and the user message as text, or with \
            --output-format json the URL and the HTTP body as sent (the API key is never shown; none is needed). \
            An atom's request carries its dependencies' code: give --run with a run folder where they passed, else \
            the dependencies without code are named on standard error.

            Examples:
              atomforge prompt examples/plans/textkit.yaml tokenize
              atomforge prompt examples/plans/textkit.yaml compute_stats --run outbox/textkit --output-format json

            Exit codes: 0 printed, 2 an invalid plan or config, an unknown atom, or code the plan provides.
            """
    )

    @Argument(help: "The plan file.", completion: .file(extensions: ["yaml", "yml", "json"]))
    var plan: String

    @Argument(help: "The atom's id.")
    var atom: String

    @Option(help: "The pipeline settings file: provider, model, ladder, prompts.")
    var config = "pipeline.yaml"

    @Option(help: "A run folder of the plan whose passed atoms give the dependencies' code.", completion: .directory)
    var run: String?

    @Option(help: ArgumentHelp("text (system prompt and message) or json (url and body as sent)."))
    var outputFormat = OutputFormat.text

    func run() async throws {
        guard let settings = loadConfig(config) else { throw ExitCode(2) }
        let check = PlanChecker.check(fileAt: plan)
        guard let parsed = check.validPlan else {
            for diagnostic in check.diagnostics { printError(diagnostic.described(in: plan)) }
            throw ExitCode(2)
        }
        var passed: [String: String] = [:]
        if let run {
            guard let results = await BlockingIO.run({ RunListing.passedCode(inRunFolder: run) }) else {
                printError("\(run) is not a run folder that can be read (give outbox/<plan>)")
                throw ExitCode(2)
            }
            passed = results
        }
        let preview: RequestPreview.Preview
        do {
            preview = try await RequestPreview.first(for: atom, of: parsed, passed: passed, config: settings)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        if !preview.missingDependencies.isEmpty {
            printError(
                "dependencies without code yet: \(preview.missingDependencies.joined(separator: ", ")); a run sends "
                    + "their code once they pass (--run names a run folder where they did)")
        }
        switch outputFormat {
        case .json, .streamJSON:
            var object: [String: Any] = ["url": preview.url, "model": preview.model]
            object["body"] = (try? JSONSerialization.jsonObject(with: Data(preview.body.utf8))) ?? preview.body
            let data =
                (try? JSONSerialization.data(
                    withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]))
                ?? Data("{}".utf8)
            Console.shared.write(String(decoding: data, as: UTF8.self) + "\n", to: .output)
        case .text:
            var text = "POST \(preview.url) (model \(preview.model))\n"
            if let system = preview.system { text += "\n--- system ---\n\(system)\n" }
            text += "\n--- user ---\n\(preview.prompt)\n"
            Console.shared.write(text, to: .output)
        }
    }
}
