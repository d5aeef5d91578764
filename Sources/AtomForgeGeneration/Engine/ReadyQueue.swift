import HeapModule

/// The atoms ready to start, highest priority first (and, between equals, the one earlier in the plan): a
/// swift-collections `Heap`.
///
/// The scheduler's priority is the length of the chain of dependents still ahead of an atom (critical path first),
/// which keeps the longest chain moving and finishes closest to the lower bound.
package struct ReadyQueue {
    private struct Entry: Comparable {
        var priority: Int
        var index: Int

        /// Ordered so that the maximum is the atom to start next: a higher priority, or a lower index.
        static func < (a: Entry, b: Entry) -> Bool {
            a.priority != b.priority ? a.priority < b.priority : a.index > b.index
        }
    }

    private var heap = Heap<Entry>()

    package init() {}

    package var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    package mutating func push(_ index: Int, priority: Int) {
        heap.insert(Entry(priority: priority, index: index))
    }

    package mutating func pop() -> Int? {
        heap.popMax()?.index
    }
}
