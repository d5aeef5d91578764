import AtomForgeGeneration
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Retries after an outage: a run the provider could not be reached for is tried again after a growing delay.
extension InboxService {
    /// While the provider cannot be reached, the run in `folder` is kept and tried again after a growing delay,
    /// each try logged, until the provider answers or the daemon stops (the run is then resumed at the next start).
    func keepTrying(_ folder: String, after first: PlanJob.Outcome?) async {
        var outcome = first
        var delay = outageDelay
        var tries = 1
        while let last = outcome, last.ending.isOutage {
            let (reason, wait) = (last.outage ?? "no answer", Self.format(delay))
            let text = "\(reason); \(folder) is kept unfinished and tried again in \(wait) (try \(tries + 1))"
            logger.warning("\(text)")
            guard await pause(for: delay) else { return }
            tries += 1
            delay = min(delay * 2, Self.longestOutageDelay)
            switch await resumeOnce(folder) {
            case .ran(let next): outcome = next
            // Another process has the run now (a person's `retry`, say): look again after the next delay.
            case .busy: continue
            case .notInterrupted: return
            }
        }
    }

    /// Sleeps for `duration` unless the daemon stops first; false if it does.
    func pause(for duration: Duration) async -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if services.stop.isRequested || Task.isCancelled { return false }
            try? await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
        return !services.stop.isRequested
    }

    static func format(_ delay: Duration) -> String {
        String(format: delay < .seconds(10) ? "%.1f s" : "%.0f s", delay.seconds)
    }
}
