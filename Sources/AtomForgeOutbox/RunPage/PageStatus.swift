import AtomForgeModel

/// Where an atom stands as the run page shows it: an atom's status once it has a result, and two states an atom
/// without one is in. The raw values are the page's CSS classes and its script's filter names.
enum PageStatus: String, Sendable, Encodable, CaseIterable {
    case passed, failed, blocked
    /// No result yet, while the run goes on.
    case pending
    /// No result, and the run has stopped: a stopped or interrupted run did not reach it.
    case unfinished

    init(_ status: AtomStatus) {
        switch status {
        case .passed: self = .passed
        case .failed: self = .failed
        case .blocked: self = .blocked
        }
    }

    /// Shown in the counts even at zero: what every run has.
    var alwaysCounted: Bool { self == .passed || self == .failed || self == .blocked }
}
