import AtomForge
import Foundation
import Synchronization

/// The progress display of a terminal: one status line kept at the bottom,
/// `[5/9] ✓4 ✗1 ⊘0 · running: compute_stats (attempt 2), tokenize (1) · 3m10s · ~1m05s left`, and each finished atom
/// printed above it once, with the first line of the reason when it did not pass.
///
/// Only where standard error is a terminal (``Console/errorIsTerminal``); a pipe, CI or journald gets the plain log
/// lines instead. The line is redrawn on every event and once a second (``tick()``), so its clock moves.
///
/// Not a progress-bar library: the packages at hand draw bars or spinners of their own layout (console-kit's
/// activity indicators) or only colour text (Rainbow); this is one line redrawn with `\r` and an erase, on the
/// ``Console`` that keeps log lines above it.
final class TerminalProgress: RunObserver {
    private let console: Console
    /// Prints a line when a plan starts and ends (the daemon, which runs many); `run` prints its own summary.
    private let announcesPlans: Bool
    /// The plans running, in the order they started.
    private let tallies = Mutex<[(plan: String, tally: ProgressTally)]>([])
    /// Held while the line is drawn; true once ``clear()`` ended the display, after which nothing draws it again
    /// (a tick that was under way when the run ended included).
    private let drawing = Mutex(false)

    init(console: Console = .shared, announcesPlans: Bool = false) {
        self.console = console
        self.announcesPlans = announcesPlans
    }

    func observe(_ event: RunEvent) async {
        let line: String? = tallies.withLock { tallies in
            if event.event == .planStarted {
                tallies.removeAll { $0.plan == event.plan }
                tallies.append((event.plan, ProgressTally()))
            }
            guard let index = tallies.firstIndex(where: { $0.plan == event.plan }) else { return nil }
            tallies[index].tally.apply(event)
            let several = tallies.count > 1 || announcesPlans
            let line = self.line(for: event, plan: several ? event.plan : nil, tally: tallies[index].tally)
            if event.event == .planFinished { tallies.remove(at: index) }
            return line
        }
        drawing.withLock { ended in
            if let line {
                console.write(line + "\n", thenStatus: ended ? nil : status(at: Date()))
            } else if !ended {
                console.setStatus(status(at: Date()))
            }
        }
    }

    /// Draws the status line again: its clock and estimate move between events.
    func tick() {
        drawing.withLock { ended in
            if !ended { console.setStatus(status(at: Date())) }
        }
    }

    /// Clears the status line for good, before a command prints its results.
    func clear() {
        drawing.withLock { ended in
            ended = true
            console.setStatus(nil)
        }
    }

    /// The status line, or nil while no plan runs.
    func status(at now: Date) -> String? {
        let tallies = self.tallies.withLock { $0 }
        guard !tallies.isEmpty else { return nil }
        let several = tallies.count > 1 || announcesPlans
        return tallies.map { Self.describe($0.tally, plan: several ? $0.plan : nil, now: now, mark: mark) }
            .joined(separator: " | ")
    }

    static func describe(
        _ tally: ProgressTally, plan: String?, now: Date, mark: (String, String) -> String = { first, _ in first }
    ) -> String {
        var parts = [
            (plan.map { $0 + " " } ?? "") + "[\(tally.done)/\(tally.total)] " + mark("✓", "32") + "\(tally.passed) "
                + mark("✗", "31") + "\(tally.failed) " + mark("⊘", "33") + "\(tally.blocked)"
        ]
        let running = tally.inFlight
        if !running.isEmpty {
            let shown = running.prefix(3).enumerated().map { offset, atom in
                "\(atom.atom) (\(offset == 0 ? "attempt " : "")\(atom.attempt))"
            }
            parts.append(
                "running: " + shown.joined(separator: ", ")
                    + (running.count > 3 ? " +\(running.count - 3) more" : ""))
        }
        parts.append(Self.duration(tally.elapsed(at: now)))
        if let left = tally.estimatedRemaining(at: now) { parts.append("~" + Self.duration(left) + " left") }
        return parts.joined(separator: " · ")
    }

    /// A finished atom (or, for the daemon, a plan that started or ended) as a line above the status.
    private func line(for event: RunEvent, plan: String?, tally: ProgressTally) -> String? {
        let prefix = plan.map { $0 + ": " } ?? ""
        switch event.event {
        case .atomFinished:
            let atom = event.atom ?? ""
            switch event.atomStatus {
            case .passed?:
                let attempts = event.attempt ?? 1
                return prefix + mark("✓", "32") + " \(atom) passed" + (attempts > 1 ? " (attempt \(attempts))" : "")
            case .failed?:
                return prefix + mark("✗", "31") + " \(atom): " + (event.reason ?? "failed")
            default:
                return prefix + mark("⊘", "33") + " \(atom): " + (event.reason ?? "blocked")
            }
        case .planStarted where announcesPlans:
            return "plan \(event.plan): \(event.atoms ?? 0) atoms into \(event.folder ?? "")"
        case .planFinished where announcesPlans:
            return "plan \(event.plan) \(event.status ?? ""): \(event.passed ?? 0) passed, \(event.failed ?? 0) "
                + "failed, \(event.blocked ?? 0) blocked in \(Self.duration(event.durationS ?? 0)); "
                + "results in \(event.folder ?? "")"
        default:
            return nil
        }
    }

    /// `symbol` in the colour of the SGR `code` when colours are allowed.
    private func mark(_ symbol: String, _ code: String) -> String {
        console.colours ? "\u{1B}[\(code)m\(symbol)\u{1B}[0m" : symbol
    }

    /// `45s`, `3m10s`, `1h02m`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m"
    }
}
