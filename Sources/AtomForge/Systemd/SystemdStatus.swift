import AtomForgeGeneration
import Foundation
import Synchronization

/// Keeps the service manager's status line (`systemctl status atomforge`) saying what the daemon is doing: plans
/// running, atoms done since it started, and the last plan that finished. At most one line a second, and one
/// whenever a plan starts or ends.
public final class SystemdStatus: RunObserver {
    private struct Counts {
        var running: Set<String> = []
        var passed = 0
        var failed = 0
        var blocked = 0
        var plansFinished = 0
        var lastSent = ContinuousClock.now - .seconds(10)
    }

    private let notifier: SystemdNotifier
    private let counts = Mutex(Counts())

    public init(notifier: SystemdNotifier) {
        self.notifier = notifier
    }

    public func observe(_ event: RunEvent) async {
        let line: String? = counts.withLock { counts in
            var urgent = false
            switch event.event {
            case .planStarted:
                counts.running.insert(event.plan)
                urgent = true
            case .planFinished:
                counts.running.remove(event.plan)
                counts.plansFinished += 1
                urgent = true
            case .atomFinished:
                switch event.atomStatus {
                case .passed?: counts.passed += 1
                case .failed?: counts.failed += 1
                case .blocked?, nil: counts.blocked += 1
                }
            default:
                return nil
            }
            guard urgent || ContinuousClock.now - counts.lastSent >= .seconds(1) else { return nil }
            counts.lastSent = .now
            return Self.describe(counts)
        }
        if let line { notifier.status(line) }
    }

    private static func describe(_ counts: Counts) -> String {
        let running =
            counts.running.isEmpty
            ? "watching the inbox" : "running \(counts.running.count) plan\(counts.running.count == 1 ? "" : "s")"
        return running + "; \(counts.plansFinished) plan\(counts.plansFinished == 1 ? "" : "s") finished, atoms: "
            + "\(counts.passed) passed, \(counts.failed) failed, \(counts.blocked) blocked"
    }
}
