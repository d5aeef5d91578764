/// Polls `condition` every 25 ms until it holds (true) or `limit` passes (false): what a test of the real daemon
/// waits with, never a fixed sleep.
func waitUntil(_ limit: Duration = .seconds(120), _ condition: () throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return false
}
