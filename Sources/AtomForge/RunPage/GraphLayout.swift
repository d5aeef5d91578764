/// Where each atom goes in the run page's dependency graph: columns by depth (an atom stands one column right of its
/// deepest dependency, so every edge points right), and within a column an order that keeps edges short.
///
/// The layered (Sugiyama-style) layout, written here rather than inlined from a library: the graph-layout libraries
/// a page can carry (dagre, elkjs, d3-dag) are not packaged for Debian, and at 30 to 400 KB each they would outweigh
/// the page for a layout this small: longest-path columns and a few barycentre sweeps, computed once per plan.
struct GraphLayout: Equatable, Sendable {
    /// Column (depth) and row of each atom, indexed like the graph's ids.
    var column: [Int]
    var row: [Int]
    /// Atoms per column.
    var columnHeights: [Int]

    init(_ graph: DependencyGraph, sweeps: Int = 4) {
        let count = graph.ids.count
        let column = graph.depths()
        let columnCount = (column.max() ?? -1) + 1
        var columns = Array(repeating: [Int](), count: columnCount)
        for index in 0..<count { columns[column[index]].append(index) }
        var row = Array(repeating: 0, count: count)
        func number() {
            for members in columns { for (position, index) in members.enumerated() { row[index] = position } }
        }
        number()
        // Barycentre sweeps: order each column by the mean row of its neighbours in the columns already placed,
        // left to right by dependencies, then right to left by dependents. Ties keep the current order.
        for sweep in 0..<sweeps {
            let rightward = sweep % 2 == 0
            let order = rightward ? Array(columns.indices.dropFirst()) : Array(columns.indices.dropLast().reversed())
            for columnIndex in order {
                let neighbours = rightward ? graph.dependencies : graph.dependents
                let keyed = columns[columnIndex].map { index -> (index: Int, key: Double) in
                    let rows = neighbours[index].map { Double(row[$0]) }
                    return (index, rows.isEmpty ? Double(row[index]) : rows.reduce(0, +) / Double(rows.count))
                }
                columns[columnIndex] = keyed.enumerated().sorted {
                    ($0.element.key, $0.offset) < ($1.element.key, $1.offset)
                }.map(\.element.index)
                for (position, index) in columns[columnIndex].enumerated() { row[index] = position }
            }
        }
        number()
        self.column = column
        self.row = row
        columnHeights = columns.map(\.count)
    }
}
