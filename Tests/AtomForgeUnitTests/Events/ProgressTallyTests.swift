import Foundation
import Testing

@testable import AtomForge

@Suite("progress tally")
struct ProgressTallyTests {
    func event(
        _ kind: RunEvent.Kind, _ atom: String? = nil, at seconds: Double, _ adjust: (inout RunEvent) -> Void = { _ in }
    )
        -> RunEvent
    {
        var event = RunEvent(kind, plan: "p", atom: atom, time: Date(timeIntervalSince1970: seconds))
        adjust(&event)
        return event
    }

    @Test("counts, atoms in flight with their attempt, tokens, and an estimate from this run's pace")
    func tally() {
        var tally = ProgressTally()
        tally.apply(
            event(.planStarted, at: 0) {
                $0.atoms = 5
                $0.passed = 1
            })
        #expect(tally.done == 1 && tally.estimatedRemaining(at: Date(timeIntervalSince1970: 5)) == nil)
        tally.apply(event(.atomStarted, "a", at: 1) { $0.attempt = 1 })
        tally.apply(event(.atomStarted, "b", at: 2) { $0.attempt = 3 })
        tally.apply(event(.attemptStarted, "a", at: 3) { $0.attempt = 2 })
        #expect(tally.inFlight.map { "\($0.atom)#\($0.attempt)" } == ["a#2", "b#3"], "longest-running first")
        #expect(tally.inFlight.first?.since == Date(timeIntervalSince1970: 1), "since the atom started")
        tally.apply(
            event(.attemptFinished, "a", at: 4) {
                $0.tokensIn = 10
                $0.tokensOut = 5
            })
        tally.apply(event(.atomFinished, "a", at: 10) { $0.status = "failed" })
        tally.apply(event(.atomFinished, "c", at: 10) { $0.status = "blocked" })
        #expect(tally.failed == 1 && tally.blocked == 1 && tally.tokensIn == 10 && tally.tokensOut == 5)
        #expect(tally.inFlight.map(\.atom) == ["b"])
        // One atom generated in 10 s (the blocked one says nothing of the pace), two left: 20 s.
        #expect(tally.estimatedRemaining(at: Date(timeIntervalSince1970: 10)) == 20)
        tally.apply(event(.planFinished, at: 12) { $0.status = "stopped" })
        #expect(tally.inFlight.isEmpty && tally.status == .stopped)
        #expect(tally.elapsed(at: Date(timeIntervalSince1970: 99)) == 12)
        #expect(tally.estimatedRemaining() == nil)
    }

    @Test("events encode as one line, snake_case, absent fields left out, times with milliseconds")
    func encoding() throws {
        var event = RunEvent(.attemptFinished, plan: "p", atom: "a", time: Date(timeIntervalSince1970: 1.25))
        event.tokensIn = 3
        event.issues = ["x"]
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(event.jsonLine.utf8)) as? [String: Any])
        #expect(!event.jsonLine.contains("\n"))
        #expect(object["time"] as? String == "1970-01-01T00:00:01.250Z")
        #expect(object["tokens_in"] as? Int == 3 && object["issues"] as? [String] == ["x"])
        #expect(Set(object.keys) == ["event", "schema_version", "time", "plan", "atom", "tokens_in", "issues"])
    }
}
