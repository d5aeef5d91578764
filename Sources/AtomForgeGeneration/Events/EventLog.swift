import AtomForgeModel
import Logging

/// Writes a run's events to the log: one line each, its fields as typed metadata (numbers stay numbers in the JSON
/// log), at a level that lets `--log-level` and `journalctl -p` pick what matters: failed atoms are warnings, each
/// attempt's verdict is info, starts are debug.
public struct EventLog: RunObserver {
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func observe(_ event: RunEvent) async {
        logger.log(level: Self.level(of: event), "\(Self.message(for: event))", metadata: event.metadata)
    }

    static func level(of event: RunEvent) -> Logger.Level {
        switch (event.event, event.atomStatus) {
        case (.atomStarted, _), (.attemptStarted, _): .debug
        case (.atomFinished, .failed?): .warning
        case (.atomFinished, .blocked?), (.planFinished, _), (.planStarted, _): .notice
        default: .info
        }
    }

    static func message(for event: RunEvent) -> String {
        let atom = event.atom ?? ""
        let because = event.reason.map { ": " + $0 } ?? ""
        switch event.event {
        case .planStarted:
            return "running plan \(event.plan): \(event.atoms ?? 0) atoms into \(event.folder ?? "")"
        case .atomStarted:
            return "atom \(atom) started at attempt \(event.attempt ?? 1)"
        case .attemptStarted:
            let count = event.candidates ?? 1
            return "attempt \(event.attempt ?? 1) of \(atom) (\(event.kind ?? "sample")"
                + (count > 1 ? ", \(count) candidates" : "") + ") asked"
        case .attemptFinished:
            return
                "attempt \(event.attempt ?? 0) of \(atom) (\(event.kind ?? "sample")): \(event.status ?? "")\(because)"
        case .atomFinished:
            let attempts = event.attempt ?? 0
            let basis = event.evidence.map { "; evidence: \($0)" } ?? ""
            return "\(atom) \(event.status ?? ""), \(attempts) attempt\(attempts == 1 ? "" : "s")\(basis)\(because)"
        case .planFinished:
            return
                "plan \(event.plan) \(event.status ?? ""): \(event.passed ?? 0) passed, \(event.failed ?? 0) failed, "
                + "\(event.blocked ?? 0) blocked"
        }
    }
}

extension RunEvent {
    /// The event's fields as log metadata, numbers as numbers; `time` is left to the log handler.
    public var metadata: Logger.Metadata {
        var fields: Logger.Metadata = ["event": .string(event.rawValue), "plan": .string(plan)]
        func put(_ key: String, _ value: (any CustomStringConvertible & Sendable)?) {
            if let value { fields[key] = .stringConvertible(value) }
        }
        func put(_ key: String, _ value: String?) {
            if let value { fields[key] = .string(value) }
        }
        put("folder", folder)
        put("atom", atom)
        put("attempt", attempt)
        put("step", step)
        put("candidates", candidates)
        put("kind", kind)
        put("status", status)
        put("reason", reason)
        if let issues { fields["issues"] = .array(issues.map { .string($0) }) }
        put("tokens_in", tokensIn)
        put("tokens_out", tokensOut)
        put("latency_s", latencyS)
        put("duration_s", durationS)
        put("atoms", atoms)
        put("passed", passed)
        put("failed", failed)
        put("blocked", blocked)
        put("exit_code", exitCode)
        put("evidence", evidence)
        return fields
    }
}
