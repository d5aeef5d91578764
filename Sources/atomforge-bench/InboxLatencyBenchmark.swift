import AtomForge
import Foundation

/// From a rename into the inbox to the plan being claimed (renamed into its run folder), through the real inotify
/// watcher and the real claim, one plan at a time.
enum InboxLatencyBenchmark {
    static func run(plans: Int, report: (String, Double, String) -> Void) async throws {
        let root = NSTemporaryDirectory() + "/atomforge-inbox-bench-\(UUID().uuidString)"
        let inbox = root + "/inbox", outbox = root + "/outbox", staging = root + "/staging"
        for folder in [inbox, outbox, staging] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: root) }
        let watcher = try InotifyWatcher(directory: inbox)
        var events = watcher.events().makeAsyncIterator()
        _ = await events.next()  // the start rescan
        var latencies: [Double] = []
        var keep: [RunFolder] = []
        for index in 0..<plans {
            let name = "plan-\(index).yaml"
            try "plan: p\(index)\nlanguage: python\natoms:\n  - {id: a, name: a, description: d}\n".write(
                toFile: staging + "/" + name, atomically: false, encoding: .utf8)
            let clock = ContinuousClock()
            let start = clock.now
            rename(staging + "/" + name, inbox + "/" + name)
            guard case .file(let arrived)? = await events.next(),
                case .claimed(_, let folder) = PlanIntake.take(inbox + "/" + arrived, outbox: outbox)
            else { fatalError("plan \(name) was not claimed") }
            latencies.append((clock.now - start).seconds * 1000)
            keep.append(folder)
        }
        watcher.stop()
        latencies.sort()
        report("inbox_claim_latency_p50", latencies[latencies.count / 2], "ms")
        report("inbox_claim_latency_p99", latencies[min(latencies.count - 1, latencies.count * 99 / 100)], "ms")
    }
}
