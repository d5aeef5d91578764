import Synchronization

/// The problems of one decoding that goes on past them, so that a file with three mistakes is reported with three
/// errors in one run, not one per run.
///
/// Bound for the length of a decoding (``YAMLDecoder/decodeReportingAll(_:from:)``): an optional value that does not
/// decode is recorded here and replaced by its default (`KeyedDecodingContainer.decode(_:or:)`), and an unknown key
/// is recorded rather than thrown. Task-local because `Decoder`'s containers carry no context of their own.
package final class DecodingProblems: Sendable {
    @TaskLocal package static var current: DecodingProblems?

    private let errors = Mutex<[any Error]>([])

    package func record(_ error: any Error) {
        errors.withLock { $0.append(error) }
    }

    var recorded: [any Error] { errors.withLock { $0 } }
}
