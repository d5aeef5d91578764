/// The atoms ready to start, highest priority first: a binary max-heap over (priority, then lower index first).
///
/// The scheduler's priority is the length of the chain of dependents still ahead of an atom (critical path first),
/// which keeps the longest chain moving and finishes closest to the lower bound.
struct ReadyQueue {
    private var heap: [(priority: Int, index: Int)] = []

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    private static func before(_ a: (priority: Int, index: Int), _ b: (priority: Int, index: Int)) -> Bool {
        a.priority != b.priority ? a.priority > b.priority : a.index < b.index
    }

    mutating func push(_ index: Int, priority: Int) {
        heap.append((priority, index))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var best = parent
            if left < heap.count, Self.before(heap[left], heap[best]) { best = left }
            if right < heap.count, Self.before(heap[right], heap[best]) { best = right }
            if best == parent { break }
            heap.swapAt(parent, best)
            parent = best
        }
        return top.index
    }
}
