import AtomForgeModel

/// Where each atom goes in the run page's dependency graph: columns by depth (an atom stands one column right of its
/// deepest dependency, so every edge points right), and within a column an order that keeps edges short. An edge
/// that spans columns passes through each column between in a lane of its own (a slot no atom takes), so it never
/// runs under an atom it does not connect.
///
/// The layered (Sugiyama-style) layout, written here rather than inlined from a library: the graph-layout libraries
/// a page can carry (dagre, elkjs, d3-dag) are not packaged for Debian, and at 30 to 400 KB each they would outweigh
/// the page for a layout this small: longest-path columns, a lane per column an edge crosses, and a few barycentre
/// sweeps, computed once per plan.
package struct GraphLayout: Equatable, Sendable {
    /// Column (depth) and row (slot) of each atom, indexed like the graph's ids.
    package var column: [Int]
    package var row: [Int]
    /// Slots per column: its atoms and the lanes of the edges that cross it.
    package var columnHeights: [Int]
    /// Every edge, from a dependency to its dependent, with the rows of its lanes in the columns between them.
    package var edges: [Edge]

    package struct Edge: Equatable, Sendable {
        package var from: Int
        package var to: Int
        /// The lane's row in each column between `from`'s and `to`'s, left to right.
        package var lanes: [Int]
    }

    package init(_ graph: DependencyGraph, sweeps: Int = 4) {
        let count = graph.ids.count
        let depth = graph.depths()
        // Slots: the atoms, then a lane for each column an edge crosses; each slot knows its neighbours.
        var slotColumn = depth
        var before = graph.dependencies
        var after = graph.dependents
        var chains: [(from: Int, to: Int, lanes: [Int])] = []
        for (index, dependencies) in graph.dependencies.enumerated() {
            for dependency in dependencies {
                var lanes: [Int] = []
                var previous = dependency
                if depth[index] - depth[dependency] > 1 {
                    for laneColumn in (depth[dependency] + 1)..<depth[index] {
                        let lane = slotColumn.count
                        slotColumn.append(laneColumn)
                        before.append([previous])
                        after.append([])
                        after[previous].append(lane)
                        lanes.append(lane)
                        previous = lane
                    }
                    // The dependent's neighbour on this side is the last lane, not the dependency itself.
                    before[index] = before[index].map { $0 == dependency ? previous : $0 }
                    after[dependency].removeAll { $0 == index }
                    after[previous].append(index)
                }
                chains.append((dependency, index, lanes))
            }
        }
        let columnCount = (slotColumn.max() ?? -1) + 1
        var columns = Array(repeating: [Int](), count: columnCount)
        for slot in slotColumn.indices { columns[slotColumn[slot]].append(slot) }
        var row = Array(repeating: 0, count: slotColumn.count)
        func number() {
            for members in columns { for (position, slot) in members.enumerated() { row[slot] = position } }
        }
        number()
        // Barycentre sweeps: order each column by the mean row of its neighbours in the columns already placed,
        // left to right by dependencies, then right to left by dependents. Ties keep the current order.
        for sweep in 0..<sweeps {
            let rightward = sweep % 2 == 0
            let order = rightward ? Array(columns.indices.dropFirst()) : Array(columns.indices.dropLast().reversed())
            for columnIndex in order {
                let neighbours = rightward ? before : after
                let keyed = columns[columnIndex].map { slot -> (slot: Int, key: Double) in
                    let rows = neighbours[slot].map { Double(row[$0]) }
                    return (slot, rows.isEmpty ? Double(row[slot]) : rows.reduce(0, +) / Double(rows.count))
                }
                columns[columnIndex] = keyed.enumerated().sorted {
                    ($0.element.key, $0.offset) < ($1.element.key, $1.offset)
                }.map(\.element.slot)
                for (position, slot) in columns[columnIndex].enumerated() { row[slot] = position }
            }
        }
        number()
        column = Array(depth.prefix(count))
        self.row = Array(row.prefix(count))
        columnHeights = columns.map(\.count)
        edges = chains.map { Edge(from: $0.from, to: $0.to, lanes: $0.lanes.map { row[$0] }) }
    }
}
