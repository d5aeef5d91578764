import Synchronization
import Testing

@testable import AtomForge

/// The scheduler alone, with an in-process `execute` that records what ran when.
@Suite("scheduler")
struct SchedulerTests {
    final class Trace: Sendable {
        let events = Mutex<[String]>([])
        let inFlight = Mutex<(now: Int, peak: Int)>((0, 0))

        func begin(_ id: String) {
            events.withLock { $0.append("start \(id)") }
            inFlight.withLock { $0 = ($0.now + 1, max($0.peak, $0.now + 1)) }
        }

        func end(_ id: String) {
            inFlight.withLock { $0.now -= 1 }
            events.withLock { $0.append("end \(id)") }
        }

        var started: [String] {
            events.withLock { $0.filter { $0.hasPrefix("start") }.map { String($0.dropFirst(6)) } }
        }
    }

    func run(
        _ graph: DependencyGraph, workers: Int, failing: Set<String> = [],
        delays: [String: Duration] = [:], finished: [Int: AtomResult] = [:], trace: Trace
    ) async -> Scheduler.Outcome {
        await Scheduler(maxInFlight: workers).run(graph, finished: finished) {
            index throws(GenerationStop) in
            let id = graph.ids[index]
            trace.begin(id)
            try? await Task.sleep(for: delays[id] ?? .milliseconds(5))
            trace.end(id)
            return AtomResult(id: id, status: failing.contains(id) ? .failed : .passed)
        } record: { _, _ in
        }
    }

    @Test("every atom starts only after its dependencies passed, within the worker bound")
    func dependencyOrder() async {
        let graph = DependencyGraph(
            ids: ["a", "b", "c", "d", "e", "f"], dependencies: [[], [], ["a"], ["a", "b"], ["c"], ["d", "e"]])
        let trace = Trace()
        let outcome = await run(graph, workers: 2, trace: trace)
        #expect(outcome.results.count == 6)
        #expect(outcome.results.values.allSatisfy { $0.status == .passed })
        let events = trace.events.withLock { $0 }
        for (index, dependencies) in graph.dependencies.enumerated() {
            let start = events.firstIndex(of: "start \(graph.ids[index])")!
            for dependency in dependencies {
                #expect(events.firstIndex(of: "end \(graph.ids[dependency])")! < start)
            }
        }
        #expect(trace.inFlight.withLock { $0.peak } == 2)
    }

    @Test("an atom starts as soon as its own dependencies pass, without waiting for its level")
    func noLevelBarrier() async {
        // a is slow: it finishes only once c has started (or after 60 s: a deadline only for the failure, generous so
        // that a machine loaded by other tests cannot make it pass late). b → c is a chain on the same levels, so
        // with dependency scheduling c starts while a is still running.
        let graph = DependencyGraph(ids: ["a", "b", "c"], dependencies: [[], [], ["b"]])
        let trace = Trace()
        _ = await Scheduler(maxInFlight: 4).run(graph) { index throws(GenerationStop) in
            let id = graph.ids[index]
            trace.begin(id)
            if id == "a" {
                let deadline = ContinuousClock.now + .seconds(60)
                while !trace.started.contains("c"), ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
            trace.end(id)
            return AtomResult(id: id, status: .passed)
        } record: { _, _ in
        }
        let events = trace.events.withLock { $0 }
        #expect(events.firstIndex(of: "start c")! < events.firstIndex(of: "end a")!)
    }

    @Test("the ready queue gives the highest priority first, and between equals the atom earlier in the plan")
    func readyQueueOrder() {
        var queue = ReadyQueue()
        for (index, priority) in [(4, 1), (2, 3), (7, 3), (0, 0), (5, 1), (1, 3)] {
            queue.push(index, priority: priority)
        }
        var order: [Int] = []
        while let next = queue.pop() { order.append(next) }
        #expect(order == [1, 2, 7, 4, 5, 0])
        #expect(queue.isEmpty)
    }

    @Test("among ready atoms, the one with the longest chain ahead starts first")
    func criticalPathFirst() async {
        // x has a chain of three dependents ahead; y, z have none. With one worker, x must go first.
        let graph = DependencyGraph(
            ids: ["y", "z", "x", "x1", "x2", "x3"], dependencies: [[], [], [], ["x"], ["x1"], ["x2"]])
        let trace = Trace()
        _ = await run(graph, workers: 1, trace: trace)
        #expect(trace.started.first == "x")
    }

    @Test("dependents of a failed atom are blocked, never started, and name the failed atom")
    func blockedPropagation() async {
        let graph = DependencyGraph(ids: ["a", "b", "c", "d"], dependencies: [[], ["a"], ["b"], []])
        let trace = Trace()
        let outcome = await run(graph, workers: 2, failing: ["a"], trace: trace)
        #expect(Set(trace.started) == ["a", "d"])
        #expect(outcome.results[1]?.status == .blocked)
        #expect(outcome.results[1]?.blockedBy == "a")
        #expect(outcome.results[2]?.status == .blocked)
        #expect(outcome.results[2]?.blockedBy == "a")
        #expect(outcome.results[2]?.reason == "not generated: dependency 'a' failed (through 'b')")
        #expect(outcome.results[3]?.status == .passed)
    }

    @Test("restored results are not run again; a restored failure still blocks")
    func restored() async {
        let graph = DependencyGraph(ids: ["a", "b", "c", "d"], dependencies: [[], ["a"], [], ["c"]])
        let trace = Trace()
        let outcome = await run(
            graph, workers: 2,
            finished: [0: AtomResult(id: "a", status: .passed), 2: AtomResult(id: "c", status: .failed)], trace: trace)
        #expect(trace.started == ["b"])
        #expect(outcome.results[3]?.status == .blocked)
    }

    @Test("a stop ends the run without starting more atoms")
    func stop() async {
        let graph = DependencyGraph(ids: ["a", "b", "c"], dependencies: [[], ["a"], ["b"]])
        let outcome = await Scheduler(maxInFlight: 1).run(graph) { index throws(GenerationStop) in
            if index == 1 { throw .budget }
            return AtomResult(id: graph.ids[index], status: .passed)
        } record: { _, _ in
        }
        #expect(outcome.stop == .budget)
        #expect(outcome.results.count == 1)
    }
}
