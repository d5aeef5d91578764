import AtomForgeModel

/// Runs the atoms of one plan in dependency order within a bound on how many are in flight.
///
/// An atom starts the moment its own dependencies have passed; among ready atoms the one with the longest chain of
/// dependents ahead starts first. (The benchmark measures this against the original design's level barrier, which
/// it builds from this scheduler, one level at a time.) An atom whose dependency failed is never started: the
/// scheduler records it as blocked, naming the failed atom.
/// The scheduler knows nothing of models or files; `execute` does the work and `record` hears every result.
public struct Scheduler: Sendable {
    public var maxInFlight: Int

    public init(maxInFlight: Int) {
        precondition(maxInFlight > 0)
        self.maxInFlight = maxInFlight
    }

    /// What a run came to.
    public struct Outcome: Sendable {
        /// Results by atom index; atoms left unfinished by a stop are absent.
        public var results: [Int: AtomResult]
        /// Set when an atom's generation stopped the plan (budget, cancellation).
        public var stop: GenerationStop?
    }

    /// Runs every atom of `graph` not already in `finished` (results restored from a journal).
    public func run(
        _ graph: DependencyGraph, finished: [Int: AtomResult] = [:],
        execute: @escaping @Sendable (Int) async throws(GenerationStop) -> AtomResult,
        record: (Int, AtomResult) async -> Void
    ) async -> Outcome {
        var state = State(graph: graph)
        for index in graph.topologicalOrder {
            if let result = finished[index] {
                state.settle(index, result)
            } else if let blocker = state.failedDependency(of: index) {
                let result = state.blocked(index, by: blocker)
                state.settle(index, result)
                await record(index, result)
            }
        }
        let stop = await runReady(graph.topologicalOrder, state: &state, execute: execute, record: record)
        return Outcome(results: state.results, stop: stop)
    }

    /// Runs `atoms` (in topological order) as their dependencies allow; returns the stop that ended it early, if any.
    private func runReady(
        _ atoms: [Int], state: inout State,
        execute: @escaping @Sendable (Int) async throws(GenerationStop) -> AtomResult,
        record: (Int, AtomResult) async -> Void
    ) async -> GenerationStop? {
        var ready = ReadyQueue()
        for index in atoms where state.isReady(index) { ready.push(index, priority: state.priority[index]) }
        var stop: GenerationStop?
        await withTaskGroup(of: (Int, Result<AtomResult, GenerationStop>).self) { group in
            var inFlight = 0
            func startReady() {
                while stop == nil, inFlight < maxInFlight, let index = ready.pop() {
                    inFlight += 1
                    state.started[index] = true
                    group.addTask {
                        // Assign, then return: a `return` of a tuple from inside `do throws(GenerationStop)` was
                        // miscompiled by the 6.3 optimizer (a wrong index came back in release builds).
                        let result: Result<AtomResult, GenerationStop>
                        do throws(GenerationStop) {
                            result = .success(try await execute(index))
                        } catch {
                            result = .failure(error)
                        }
                        return (index, result)
                    }
                }
            }
            startReady()
            while let (index, outcome) = await group.next() {
                inFlight -= 1
                switch outcome {
                case .failure(let reason):
                    stop = stop ?? reason
                case .success(let result):
                    state.settle(index, result)
                    await record(index, result)
                    for blocked in state.propagate(from: index) {
                        await record(blocked, state.results[blocked]!)
                    }
                    for dependent in state.graph.dependents[index] where state.isReady(dependent) {
                        ready.push(dependent, priority: state.priority[dependent])
                    }
                }
                startReady()
            }
        }
        return stop
    }

    /// The scheduler's bookkeeping, by atom index.
    private struct State {
        let graph: DependencyGraph
        let priority: [Int]
        var results: [Int: AtomResult] = [:]
        var waitingOn: [Int]
        var started: [Bool]

        init(graph: DependencyGraph) {
            self.graph = graph
            priority = graph.chainLengthAhead()
            waitingOn = graph.dependencies.map(\.count)
            started = Array(repeating: false, count: graph.ids.count)
        }

        func isReady(_ index: Int) -> Bool {
            waitingOn[index] == 0 && results[index] == nil && !started[index]
        }

        mutating func settle(_ index: Int, _ result: AtomResult) {
            results[index] = result
            if result.status == .passed {
                for dependent in graph.dependents[index] { waitingOn[dependent] -= 1 }
            }
        }

        /// The first dependency of `index` that did not pass and has a result, if any.
        func failedDependency(of index: Int) -> Int? {
            graph.dependencies[index].first { results[$0].map { $0.status != .passed } ?? false }
        }

        func blocked(_ index: Int, by dependency: Int) -> AtomResult {
            let dependencyResult = results[dependency]!
            let root = dependencyResult.blockedBy ?? graph.ids[dependency]
            let via = dependencyResult.status == .blocked ? " (through '\(graph.ids[dependency])')" : ""
            return AtomResult(
                id: graph.ids[index], status: .blocked, blockedBy: root,
                reason: "not generated: dependency '\(root)' failed\(via)")
        }

        /// Marks every atom downstream of a failed `index` as blocked; returns them in dependency order.
        mutating func propagate(from index: Int) -> [Int] {
            guard results[index]?.status != .passed else { return [] }
            var newlyBlocked: [Int] = []
            var stack = [index]
            while let current = stack.popLast() {
                for dependent in graph.dependents[current] where results[dependent] == nil && !started[dependent] {
                    results[dependent] = blocked(dependent, by: current)
                    newlyBlocked.append(dependent)
                    stack.append(dependent)
                }
            }
            return newlyBlocked
        }
    }
}
