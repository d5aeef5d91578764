/// The atoms of a plan as a graph over integer indices: topological order, levels, cycles and chain lengths.
///
/// Built once per plan and cheap to query: the scheduler reads ``chainLengthAhead`` to start the atom with the longest
/// chain of dependents still ahead of it first (critical path first), which finishes large plans closest to the
/// lower bound. Dependencies on unknown ids and on the atom itself are left out here; the checker reports them.
public struct DependencyGraph: Sendable {
    /// Atom ids in plan order; every other array is indexed like this one.
    public let ids: [String]
    public let indexOfID: [String: Int]
    /// For each atom, the atoms it depends on.
    public let dependencies: [[Int]]
    /// For each atom, the atoms that depend on it.
    public let dependents: [[Int]]
    /// Every atom in an order where dependencies come first; shorter than `ids` when there is a cycle.
    public let topologicalOrder: [Int]

    public init(ids: [String], dependencies dependencyIDs: [[String]]) {
        self.ids = ids
        var indexOfID: [String: Int] = [:]
        for (index, id) in ids.enumerated() where indexOfID[id] == nil { indexOfID[id] = index }
        self.indexOfID = indexOfID
        var dependencies = Array(repeating: [Int](), count: ids.count)
        var dependents = Array(repeating: [Int](), count: ids.count)
        for (index, names) in dependencyIDs.enumerated() {
            var seen = Set<Int>()
            for name in names {
                guard let dependency = indexOfID[name], dependency != index, seen.insert(dependency).inserted else {
                    continue
                }
                dependencies[index].append(dependency)
                dependents[dependency].append(index)
            }
        }
        self.dependencies = dependencies
        self.dependents = dependents
        topologicalOrder = Self.kahn(dependencies: dependencies, dependents: dependents)
    }

    public init(_ atoms: [Atom]) {
        self.init(ids: atoms.map(\.id), dependencies: atoms.map(\.requires))
    }

    public var isAcyclic: Bool { topologicalOrder.count == ids.count }

    private static func kahn(dependencies: [[Int]], dependents: [[Int]]) -> [Int] {
        var waitingOn = dependencies.map(\.count)
        var order = waitingOn.indices.filter { waitingOn[$0] == 0 }
        var next = 0
        while next < order.count {
            for dependent in dependents[order[next]] {
                waitingOn[dependent] -= 1
                if waitingOn[dependent] == 0 { order.append(dependent) }
            }
            next += 1
        }
        return order
    }

    /// Each cycle once, as ids where every atom depends on the next and the last on the first.
    public func cycles() -> [[String]] {
        guard !isAcyclic else { return [] }
        // Every atom Kahn's algorithm could not order waits on another such atom, so following dependencies from one
        // of them must come back to an atom already on the walk: that stretch is a cycle.
        var unordered = Array(repeating: true, count: ids.count)
        for index in topologicalOrder { unordered[index] = false }
        var visited = Array(repeating: false, count: ids.count)
        var cycles: [[String]] = []
        for start in ids.indices where unordered[start] && !visited[start] {
            var walk: [Int] = []
            var positionOnWalk: [Int: Int] = [:]
            var current = start
            while !visited[current] {
                visited[current] = true
                positionOnWalk[current] = walk.count
                walk.append(current)
                current = dependencies[current].first { unordered[$0] }!
            }
            if let position = positionOnWalk[current] {
                cycles.append(walk[position...].map { ids[$0] })
            }
        }
        return cycles
    }

    /// Level 0 holds the atoms without dependencies; every other atom sits one level above its deepest dependency.
    /// Nil when the graph has a cycle.
    public func levels() -> [[String]]? {
        guard isAcyclic else { return nil }
        let level = depths()
        var levels = Array(repeating: [String](), count: (level.max() ?? -1) + 1)
        for index in ids.indices { levels[level[index]].append(ids[index]) }
        return levels
    }

    /// For each atom, the length of the longest chain of dependencies below it: 0 for an atom that depends on
    /// nothing. (Atoms on a cycle, absent from the topological order, get 0.)
    public func depths() -> [Int] {
        var depth = Array(repeating: 0, count: ids.count)
        for index in topologicalOrder {
            depth[index] = dependencies[index].map { depth[$0] + 1 }.max() ?? 0
        }
        return depth
    }

    /// For each atom, how many atoms the longest chain from it through its dependents holds, itself included.
    public func chainLengthAhead() -> [Int] {
        var ahead = Array(repeating: 1, count: ids.count)
        for index in topologicalOrder.reversed() {
            ahead[index] = 1 + (dependents[index].map { ahead[$0] }.max() ?? 0)
        }
        return ahead
    }

    /// The longest chain of dependencies in the plan, first atom first; no plan can finish in fewer steps.
    public func criticalPath() -> [String] {
        guard isAcyclic, !ids.isEmpty else { return [] }
        let ahead = chainLengthAhead()
        var current = ids.indices.max { ahead[$0] < ahead[$1] }!
        var path = [ids[current]]
        while let next = dependents[current].max(by: { ahead[$0] < ahead[$1] }) {
            path.append(ids[next])
            current = next
        }
        return path
    }
}
