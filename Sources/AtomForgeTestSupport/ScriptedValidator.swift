import AtomForge
import Synchronization

/// Validation without a program: code that contains `# bug` fails as a failed test would (`tests`, an assertion);
/// anything else passes. Counts what it was asked to validate, to tell validated attempts from duplicates.
public final class ScriptedValidator: Validator {
    public let name = "tests"
    private let validated = Mutex<[String]>([])

    public init() {}

    /// The code of every validation, in order.
    public var codes: [String] { validated.withLock { $0 } }

    public func applies(to atom: Atom) -> Bool { true }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        validated.withLock { $0.append(subject.code) }
        guard subject.code.contains("# bug") else { return [] }
        return [
            ValidationIssue(
                .error, "test failed at tests line 1: assert \(subject.atom.name)() == 2", validator: name,
                kind: .assertion)
        ]
    }
}
