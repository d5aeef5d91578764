extension Array where Element == Substring {
    /// The lines joined, without trailing white space, and without blank lines at either end: code as a reply or a
    /// class body gives it, made comparable.
    package func trimmedLines() -> String {
        var lines = map { String($0.reversed().drop { $0 == " " || $0 == "\r" || $0 == "\t" }.reversed()) }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
