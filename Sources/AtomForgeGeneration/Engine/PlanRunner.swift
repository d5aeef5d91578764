import AtomForgeModel
import AtomForgeSystem
import CoreMetrics
import Logging

/// Hears every atom result as it happens: the outbox journals it, writes its files and updates progress.
public protocol RunRecorder: Sendable {
    func record(_ result: AtomResult, of atom: Atom) async
    /// An atom whose generation stopped before a verdict, with every attempt it has and the step to ask next:
    /// kept, so that the next run goes on from them.
    func recordUnfinished(_ progress: EarlierAttempts, of atom: Atom) async
    /// An atom still generating, after a ladder step: its attempts so far and the step to ask next, kept so that a
    /// run killed outright (no time to say it stopped) goes on from the next step and never pays for these again.
    func recordProgress(_ progress: EarlierAttempts, of atom: Atom) async
}

extension RunRecorder {
    public func recordUnfinished(_ progress: EarlierAttempts, of atom: Atom) async {}
    public func recordProgress(_ progress: EarlierAttempts, of atom: Atom) async {}
}

/// What running a plan came to.
public struct PlanOutcome: Sendable {
    /// Results by atom id; atoms left unfinished by a stop are absent.
    public var results: [String: AtomResult]
    /// Set when the plan stopped before every atom finished.
    public var stop: GenerationStop?
    public var duration: Duration
    /// Files of the assembled tree that do not import, for a reason no atom was made to answer for.
    public var treeProblems: [String] = []
    /// What the plan's own suite came to on the assembled tree; nil when the plan has none or it was not run.
    public var suite: SuiteResult?
    /// The suite's rounds: which atoms each sent through their ladder again, and what the suite came to after it.
    public var suiteRounds: [SuiteRound] = []

    public init(results: [String: AtomResult], stop: GenerationStop? = nil, duration: Duration) {
        self.results = results
        self.stop = stop
        self.duration = duration
    }
}

/// Runs one plan: schedules its atoms by dependency, generates each with ``AtomGenerator``, and reports results to a
/// ``RunRecorder``. Atoms passed in `restored` (from a journal) are not generated again; atoms in `earlier` go on
/// from the attempts they already have.
public struct PlanRunner: Sendable {
    public let generator: AtomGenerator
    /// Shared by every plan of the process: bounds atoms in flight at once (``EngineServices/atomsInFlight``).
    public let atomSlots: AsyncSemaphore
    public let scheduler: Scheduler

    public init(generator: AtomGenerator, atomSlots: AsyncSemaphore, scheduler: Scheduler) {
        self.generator = generator
        self.atomSlots = atomSlots
        self.scheduler = scheduler
    }

    public func run(
        _ plan: Plan, restored: [String: AtomResult] = [:], earlier: [String: EarlierAttempts] = [:],
        recorder: some RunRecorder
    ) async -> PlanOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let graph = DependencyGraph(plan.atoms)
        let atoms = plan.atoms
        var finished: [Int: AtomResult] = [:]
        for (index, atom) in atoms.enumerated() {
            if let result = restored[atom.id], result.status != .blocked { finished[index] = result }
        }
        let passedCode = PassedCode(
            restored.filter { $0.value.status == .passed }.compactMapValues(\.code), atoms: atoms, graph: graph)
        let generator = self.generator
        let atomSlots = self.atomSlots
        let priorities = graph.chainLengthAhead()
        let planNames = Array(Set(atoms.map(\.name))).sorted()
        let stop = generator.stop
        let outcome = await scheduler.run(graph, finished: finished) { index throws(GenerationStop) in
            if stop.isRequested { throw .cancelled }
            EngineMetrics.atomsWaiting.increment()
            do {
                try await atomSlots.acquire(priority: priorities[index])
                EngineMetrics.atomsWaiting.decrement()
            } catch {
                EngineMetrics.atomsWaiting.decrement()
                throw .cancelled
            }
            EngineMetrics.atomsRunning.increment()
            defer { EngineMetrics.atomsRunning.decrement() }
            if stop.isRequested {
                await atomSlots.release()
                throw .cancelled
            }
            var context = await passedCode.context(for: index)
            context.priority = priorities[index]
            context.planNames = planNames
            let atom = atoms[index]
            let before = earlier[atom.id]
            let result: Result<AtomResult, GenerationStop>
            do throws(GenerationInterruption) {
                result = .success(
                    try await generator.generate(atom, context: context, continuing: before) { progress in
                        await recorder.recordProgress(progress, of: atom)
                    })
            } catch {
                if error.progress != before, !error.attempts.isEmpty {
                    await recorder.recordUnfinished(error.progress, of: atom)
                }
                result = .failure(error.stop)
            }
            await atomSlots.release()
            return try result.get()
        } record: { index, result in
            if result.status == .passed, let code = result.code { await passedCode.add(atoms[index].id, code) }
            await recorder.record(result, of: atoms[index])
        }
        var results: [String: AtomResult] = [:]
        for (index, result) in outcome.results { results[atoms[index].id] = result }
        return PlanOutcome(results: results, stop: outcome.stop, duration: clock.now - start)
    }
}

/// The code of the atoms that have passed so far, from which each attempt's context is drawn.
///
/// Indexes are built once per plan (topological positions, atoms by file) so that gathering an atom's context costs
/// in proportion to its own dependencies, not to the size of the plan or of its file.
package actor PassedCode {
    /// The passed atoms of the same file a prompt shows at most, nearest in plan order first: enough to write in
    /// the file's style, and a file of a thousand atoms does not put a thousand into every later prompt.
    static let siblingLimit = 8
    /// How far in the file's order the search for them goes, so that it costs the same early in a run, when few
    /// have passed.
    static let siblingReach = 64

    private var code: [String: String]
    private let atoms: [Atom]
    private let graph: DependencyGraph
    private let position: [Int]
    /// Each file's atoms in plan order, and each atom's place in its file's list.
    private let atomsInFile: [String: [Int]]
    private let placeInFile: [Int]
    /// Each class atom's methods in plan order, by the class's index.
    private let methodsOf: [Int: [Int]]

    package init(_ code: [String: String], atoms: [Atom], graph: DependencyGraph) {
        self.code = code
        self.atoms = atoms
        self.graph = graph
        var position = Array(repeating: 0, count: atoms.count)
        for (order, index) in graph.topologicalOrder.enumerated() { position[index] = order }
        self.position = position
        let atomsInFile = Dictionary(grouping: atoms.indices, by: { atoms[$0].file })
        var placeInFile = Array(repeating: 0, count: atoms.count)
        for members in atomsInFile.values { for (place, index) in members.enumerated() { placeInFile[index] = place } }
        self.atomsInFile = atomsInFile
        self.placeInFile = placeInFile
        var methodsOf: [Int: [Int]] = [:]
        for (index, atom) in atoms.enumerated() {
            if let parent = atom.parent, let type = graph.indexOfID[parent] {
                methodsOf[type, default: []].append(index)
            }
        }
        self.methodsOf = methodsOf
    }

    func add(_ id: String, _ text: String) {
        code[id] = text
    }

    private func withCode(_ indices: some Sequence<Int>) -> [(atom: Atom, code: String)] {
        indices.compactMap { index in code[atoms[index].id].map { (atoms[index], $0) } }
    }

    package func context(for index: Int) -> AttemptContext {
        var seen = Set<Int>()
        var stack = graph.dependencies[index]
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack += graph.dependencies[next] }
        }
        let all = seen.sorted { position[$0] < position[$1] }
        let scope = classScope(of: index, dependencies: seen)
        // The class and its methods are in the class the attempt works in, not among its dependencies.
        var inClass = Set<Int>()
        if let type = scope.flatMap({ graph.indexOfID[$0.type.id] }) { inClass = Set([type] + (methodsOf[type] ?? [])) }
        return AttemptContext(
            directDependencies: shown(graph.dependencies[index], dependencies: seen, besides: inClass),
            allDependencies: shown(all, dependencies: seen, besides: inClass),
            siblings: withCode(siblings(of: index, besides: seen.union(inClass))), classScope: scope)
    }

    /// The dependencies at `indices` with their code, as a program holds them: a method of another class is shown
    /// as its class, with the methods among `dependencies` in place and stubs for the others; those in `besides`
    /// (the attempt's own class) are left out.
    private func shown(_ indices: [Int], dependencies: Set<Int>, besides: Set<Int>) -> [(atom: Atom, code: String)] {
        var seen = Set<Int>()
        var result: [(atom: Atom, code: String)] = []
        for dependency in indices where !besides.contains(dependency) {
            var index = dependency
            if atoms[index].kind == .method, let parent = atoms[index].parent.flatMap({ graph.indexOfID[$0] }) {
                index = parent
            }
            guard !besides.contains(index), seen.insert(index).inserted, let typeCode = code[atoms[index].id] else {
                continue
            }
            let type = atoms[index]
            guard let methods = methodsOf[index], !methods.isEmpty else {
                result.append((type, typeCode))
                continue
            }
            let scope = ClassScope(
                type: type, typeCode: typeCode,
                methods: methods.map {
                    ClassScope.Method(atom: atoms[$0], code: dependencies.contains($0) ? code[atoms[$0].id] : nil)
                })
            result.append((type, scope.assembled ?? typeCode))
        }
        return result
    }

    /// The class of a method (or the class atom itself): its passed code and its methods, with the code of those
    /// among `dependencies`.
    private func classScope(of index: Int, dependencies: Set<Int>) -> ClassScope? {
        let atom = atoms[index]
        let typeIndex: Int
        if atom.kind == .type {
            typeIndex = index
        } else if let parent = atom.parent, let found = graph.indexOfID[parent] {
            typeIndex = found
        } else {
            return nil
        }
        let methods = (methodsOf[typeIndex] ?? []).map { method in
            let passed = code[atoms[method].id]
            return ClassScope.Method(
                atom: atoms[method], code: dependencies.contains(method) ? passed : nil,
                written: dependencies.contains(method) ? nil : passed)
        }
        guard atom.kind == .method || !methods.isEmpty else { return nil }
        return ClassScope(
            type: atoms[typeIndex], typeCode: typeIndex == index ? nil : code[atoms[typeIndex].id], methods: methods)
    }

    /// Up to ``siblingLimit`` passed atoms of the atom's file that are not its dependencies, nearest first (the one
    /// before, the one after, and so on, within ``siblingReach``), returned in plan order.
    private func siblings(of index: Int, besides dependencies: Set<Int>) -> [Int] {
        let file = atomsInFile[atoms[index].file] ?? []
        let place = placeInFile[index]
        var found: [Int] = []
        var distance = 1
        while found.count < Self.siblingLimit, distance <= Self.siblingReach,
            place - distance >= 0 || place + distance < file.count
        {
            for near in [place - distance, place + distance] where file.indices.contains(near) {
                let other = file[near]
                // A method is shown in its class, never alone as if it were a function of the file.
                if found.count < Self.siblingLimit, !dependencies.contains(other), atoms[other].kind != .method,
                    code[atoms[other].id] != nil
                {
                    found.append(other)
                }
            }
            distance += 1
        }
        return found.sorted()
    }
}
