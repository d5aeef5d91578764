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
}

extension ValidatorChain {
    /// The built-in chain: structure first, then each language's syntax check whose tool is installed.
    public static func standard(_ settings: ValidationSettings) -> ValidatorChain {
        var validators: [any Validator] = [StructuralValidator()]
        let timeout = Duration.seconds(settings.timeoutSeconds)
        for (language, tool) in [("python", "python3"), ("swift", "swiftc"), ("javascript", "node"), ("typescript", "tsc")]
        where Toolchain.find(tool) != nil {
            if let validator = SyntaxValidator.forLanguage(language, timeout: timeout) { validators.append(validator) }
        }
        return ValidatorChain(validators)
    }
}
