import Testing

@testable import AtomForge

/// Which folder a plan's run takes, decided without a file: a new folder is filled, the same plan text goes on,
/// anything else is kept and the next name tried.
@Suite("run folder choice")
struct FolderChoiceTests {
    func choose(created: Bool = false, fresh: Bool = false, samePlan: Bool = false, finished: Bool = false)
        -> FolderChoice
    {
        FolderChoice.choose(created: created, fresh: fresh, samePlan: samePlan, finished: finished, path: "outbox/p")
    }

    @Test("a new (or empty) folder is filled, whatever else holds")
    func new() {
        #expect(choose(created: true) == .fill)
        #expect(choose(created: true, fresh: true, samePlan: true, finished: true) == .fill)
    }

    @Test("the same plan text goes on: an interrupted run is resumed, a finished one continued")
    func sameText() {
        #expect(choose(samePlan: true) == .goOn(.resumed))
        #expect(choose(samePlan: true, finished: true) == .goOn(.continued))
    }

    @Test("--fresh, or another plan text, keeps the folder as it is and says why")
    func kept() {
        #expect(
            choose(fresh: true, samePlan: true)
                == .next("starting over (--fresh): the run in outbox/p is kept as it is"))
        guard case .next(let changed) = choose() else {
            Issue.record("another text did not move on")
            return
        }
        #expect(changed.hasPrefix("the plan changed since the interrupted run in outbox/p"))
        guard case .next(let other) = choose(finished: true) else {
            Issue.record("another text did not move on")
            return
        }
        #expect(other == "outbox/p holds the results of a run of another plan text, kept as they are")
    }

    @Test("a folder another process holds: the same plan (or a claim of a copied plan) is waited for; else the next")
    func held() {
        func same(
            created: Bool = false, fresh: Bool = false, samePlan: Bool = false, emptyClaim: Bool = false,
            inbox: Bool = false
        ) -> Bool {
            FolderChoice.isSameRun(
                created: created, fresh: fresh, samePlan: samePlan, emptyClaim: emptyClaim, claimingInboxFile: inbox)
        }
        #expect(same(samePlan: true))
        #expect(same(samePlan: true, inbox: true))
        #expect(same(emptyClaim: true))
        #expect(!same(emptyClaim: true, inbox: true), "an inbox claim watches its file instead")
        #expect(!same(fresh: true, samePlan: true), "--fresh never waits for the run it leaves alone")
        #expect(!same(created: true, samePlan: true), "a folder this run made is its own")
        #expect(!same())
    }
}
