import ArgumentParser

/// How long a command lets calls in flight finish after SIGTERM or Ctrl-C before it cancels them (they are then
/// kept unfinished, and the next run asks again). Bounded, so that no value overflows the clock it becomes.
struct ShutdownOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Seconds that calls in flight may take to finish after SIGTERM or Ctrl-C before they are cancelled "
                + "(0 to 86400)."))
    var gracePeriod: Double = 30

    func validate() throws {
        guard gracePeriod >= 0, gracePeriod <= 86_400 else {
            throw ValidationError("--grace-period must be from 0 to 86400 seconds (found \(gracePeriod))")
        }
    }

    var duration: Duration { .seconds(gracePeriod) }
}
