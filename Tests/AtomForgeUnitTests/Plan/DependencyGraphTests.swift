import Testing

@testable import AtomForge

@Suite("dependency graph")
struct DependencyGraphTests {
    @Test("levels put every atom one above its deepest dependency")
    func levels() {
        let graph = DependencyGraph(ids: ["a", "b", "c", "d"], dependencies: [[], ["a"], [], ["b", "c"]])
        #expect(graph.levels() == [["a", "c"], ["b"], ["d"]])
        #expect(graph.criticalPath() == ["a", "b", "d"])
        #expect(graph.chainLengthAhead() == [3, 2, 2, 1])
    }

    @Test("each separate cycle is found once")
    func separateCycles() {
        let graph = DependencyGraph(
            ids: ["a", "b", "c", "d", "e"], dependencies: [["b"], ["a"], ["d"], ["c"], ["a"]])
        #expect(graph.levels() == nil)
        let cycles = graph.cycles().map { Set($0) }
        #expect(cycles.count == 2)
        #expect(cycles.contains(["a", "b"]))
        #expect(cycles.contains(["c", "d"]))
    }

    @Test("a long chain does not recurse")
    func longChain() {
        let count = 50_000
        let ids = (0..<count).map { "a\($0)" }
        let dependencies = (0..<count).map { $0 == 0 ? [] : ["a\($0 - 1)"] }
        let graph = DependencyGraph(ids: ids, dependencies: dependencies)
        #expect(graph.criticalPath().count == count)
        #expect(graph.levels()?.count == count)
    }
}
