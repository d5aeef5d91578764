import AtomForgeOutbox

/// What a plan's run does with a candidate folder (`outbox/<plan>`, then `<plan>-2`, …): the resume decision, made
/// with no file touched so that it can be read, and tested, on its own.
enum FolderChoice: Equatable {
    /// It is new (or an empty claim): the plan goes in, and the run starts there.
    case fill
    /// It holds a run of the same plan text: the run goes on there (resumed if it was interrupted, continued if it
    /// finished).
    case goOn(RunFolder.Start)
    /// It holds something else, kept as it is: the next folder is tried; the reason is said once.
    case next(String)

    /// The decision once the folder's lock is held: a fresh folder is filled, the same plan text goes on (unless
    /// `--fresh`), anything else is kept and the next name tried.
    static func choose(created: Bool, fresh: Bool, samePlan: Bool, finished: Bool, path: String) -> FolderChoice {
        if created { return .fill }
        if !fresh, samePlan { return .goOn(finished ? .continued : .resumed) }
        if fresh { return .next("starting over (--fresh): the run in \(path) is kept as it is") }
        return .next(
            finished
                ? "\(path) holds the results of a run of another plan text, kept as they are"
                : "the plan changed since the interrupted run in \(path), so it starts over; the earlier files are kept"
        )
    }

    /// The decision while another process holds the folder: true when it runs this same plan there (so this run
    /// waits for it, or refuses), false when it is some other run (the next folder is tried).
    ///
    /// A folder with nothing but its lock is a claim in progress: for a plan copied in (`run`) that is the same
    /// plan as likely as not, and worth waiting for; an inbox claim settles that race by watching the file instead.
    static func isSameRun(
        created: Bool, fresh: Bool, samePlan: Bool, emptyClaim: Bool, claimingInboxFile: Bool
    ) -> Bool {
        !created && !fresh && (samePlan || (emptyClaim && !claimingInboxFile))
    }
}
