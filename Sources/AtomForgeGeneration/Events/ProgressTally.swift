import AtomForgeModel
import Foundation

/// Where a run stands, kept up to date from its events: what `progress.json` and the terminal's progress line show.
public struct ProgressTally: Sendable, Equatable {
    /// An atom being generated: the attempt it is on and since when.
    public struct InFlight: Sendable, Equatable, Encodable {
        public var atom: String
        public var attempt: Int
        public var step: Int?
        public var since: Date
    }

    public private(set) var plan = ""
    public private(set) var total = 0
    public private(set) var passed = 0
    public private(set) var failed = 0
    public private(set) var blocked = 0
    /// Tokens used by this run's calls (not an earlier run's).
    public private(set) var tokensIn = 0
    public private(set) var tokensOut = 0
    public private(set) var started = Date()
    public private(set) var finishedAt: Date?
    /// The run's status once it ended (`plan_finished`).
    public private(set) var status: RunStatus?
    private var running: [String: InFlight] = [:]
    /// Atoms this run finished itself, which the estimate of the time left is drawn from.
    private var finishedHere = 0

    public init() {}

    public var done: Int { passed + failed + blocked }
    /// Atoms being generated, the longest-running first.
    public var inFlight: [InFlight] { running.values.sorted { ($0.since, $0.atom) < ($1.since, $1.atom) } }

    public mutating func apply(_ event: RunEvent) {
        switch event.event {
        case .planStarted:
            plan = event.plan
            total = event.atoms ?? 0
            passed = event.passed ?? 0
            failed = event.failed ?? 0
            blocked = event.blocked ?? 0
            started = event.time
        case .atomStarted, .attemptStarted:
            guard let atom = event.atom else { return }
            let since = running[atom]?.since ?? event.time
            running[atom] = InFlight(
                atom: atom, attempt: event.attempt ?? running[atom]?.attempt ?? 1, step: event.step, since: since)
        case .attemptFinished:
            tokensIn += event.tokensIn ?? 0
            tokensOut += event.tokensOut ?? 0
        case .atomFinished:
            guard let atom = event.atom else { return }
            running[atom] = nil
            switch event.atomStatus {
            case .passed?: passed += 1
            case .failed?: failed += 1
            case .blocked?, nil: blocked += 1
            }
            // A blocked atom ends at once: it says nothing about the pace.
            if event.atomStatus != .blocked { finishedHere += 1 }
        case .planFinished:
            running = [:]
            status = event.runStatus
            finishedAt = event.time
        }
    }

    /// An atom that left the run without a result this run announces (a stop cut it short, its result could not be
    /// written): no longer in flight.
    public mutating func forget(_ atom: String) {
        running[atom] = nil
    }

    /// Seconds since the run started (until it finished, once it has).
    public func elapsed(at now: Date = Date()) -> Double {
        max(0, (finishedAt ?? now).timeIntervalSince(started))
    }

    /// Seconds left at the pace of the atoms this run has finished so far; nil before the first one.
    public func estimatedRemaining(at now: Date = Date()) -> Double? {
        guard finishedAt == nil, finishedHere > 0, done < total else { return nil }
        return elapsed(at: now) / Double(finishedHere) * Double(max(0, total - done))
    }
}
