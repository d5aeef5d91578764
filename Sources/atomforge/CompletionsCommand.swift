import ArgumentParser

/// `atomforge completions SHELL`: the shell completion script swift-argument-parser makes for the whole command
/// tree, where a person finds it (the parser's own `--generate-completion-script` is hidden from `--help`).
struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            scripts/install-completions installs it (and the man page) where each shell looks; or by hand:

            Examples:
              atomforge completions bash > ~/.local/share/bash-completion/completions/atomforge
              atomforge completions zsh > ~/.zfunc/_atomforge
              atomforge completions fish > ~/.config/fish/completions/atomforge.fish
            """
    )

    @Argument(help: "bash, zsh or fish.")
    var shell: String

    func validate() throws {
        guard CompletionShell(rawValue: shell) != nil else {
            throw ValidationError("no completion script for '\(shell)': give bash, zsh or fish")
        }
    }

    func run() {
        print(AtomForgeCommand.completionScript(for: CompletionShell(rawValue: shell)!), terminator: "")
    }
}
