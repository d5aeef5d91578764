import AtomForgeModel
import AtomForgeSystem
import Foundation

/// The part of the run page written as HTML: what a person sees before opening an atom.
extension RunPage {
    func header(state: State, now: Date) -> String {
        let statuses = plan.atoms.map { status(of: $0, in: state) }
        let overall = overallStatus(state)
        var text = "<header>\n<h1>Plan <code>\(HTMLText.escape(plan.id))</code> "
        text += "<span class=\"status \(overall)\" id=\"run-status\">\(overall)</span></h1>\n"
        if let description = plan.description, !description.isEmpty {
            text += "<p class=\"plan-description\">\(HTMLText.escape(description))</p>\n"
        }
        let attempts = plan.atoms.flatMap { results[$0.id]?.attempts ?? unfinished[$0.id] ?? [] }
            .filter { $0.isModelCall }
        let tokens = attempts.reduce(TokenUsage()) { $0 + $1.tokens }
        let started = Self.time(startedAt)
        let when =
            switch state {
            case .running: "Running since \(started); this page was written \(Self.time(now))"
            case .finished: "Started \(started), finished \(Self.time(now))"
            case .stopped: "Started \(started), stopped \(Self.time(now))"
            case .interrupted: "Started \(started), interrupted \(Self.time(now))"
            }
        text += "<p class=\"meta\">\(when) · model <code>\(HTMLText.escape(model))</code> · "
        text += "\(attempts.count) model call\(attempts.count == 1 ? "" : "s") · "
        text += "\(tokens.input) tokens in, \(tokens.output) out</p>\n"
        text += "<ul class=\"counts\">\n"
        for status in PageStatus.allCases {
            let count = statuses.filter { $0 == status }.count
            guard count > 0 || status.alwaysCounted else { continue }
            let name = status.rawValue
            text += "<li><button type=\"button\" class=\"count \(name)\" data-filter=\"\(name)\" "
            text += "title=\"show only the \(name) atoms\"><b data-count=\"\(name)\">\(count)</b> \(name)"
            text += "</button></li>\n"
        }
        text += "<li class=\"total\"><b data-count=\"total\">\(plan.atoms.count)</b> atoms</li>\n</ul>\n"
        text += nextStep(state: state, statuses: statuses)
        if state == .running {
            text += "<p class=\"follow\"><label><input type=\"checkbox\" id=\"follow\" checked> "
            text += "follow the run (the page reloads every 5 s while no atom is open)</label></p>\n"
        }
        return text + "</header>\n"
    }

    /// What a person can do next, with the command to copy.
    private func nextStep(state: State, statuses: [PageStatus]) -> String {
        let folder = HTMLText.escape(ShellWord.quote(folder))
        let failed = statuses.filter { $0 == .failed }.count
        let unfinished = statuses.filter { $0 == .unfinished }.count
        switch state {
        case .running:
            return ""
        case .interrupted:
            return "<p class=\"next\">The provider did not serve the requests, so the run stopped with \(unfinished) "
                + "atom\(unfinished == 1 ? "" : "s") unfinished; their attempts so far are kept. Once it answers, "
                + "run the plan again or "
                + "<code class=\"command\">atomforge retry \(folder)</code> to go on from here.</p>\n"
        case .stopped:
            return "<p class=\"next\">The run stopped before the end; running the plan again continues it.</p>\n"
        case .finished:
            guard failed > 0 else { return "" }
            return "<p class=\"next\">\(failed) atom\(failed == 1 ? "" : "s") failed. Open one to fix its code by "
                + "hand and accept it, or have the model try them all again: "
                + "<code class=\"command\">atomforge retry \(folder)</code></p>\n"
        }
    }

    func graphSection(state: State) -> String {
        // Boxes as wide as the longest id needs (within bounds); a longer one is cut, whole in its hover title.
        let longest = plan.atoms.map(\.id.count).max() ?? 0
        let width = min(320, max(150, 16 + longest * 7))
        let (height, gap, margin) = (24, 56, 8)
        let characters = (width - 16) / 7
        let rowHeight = height + 8
        let columns = layout.columnHeights.count
        let svgWidth = margin * 2 + columns * width + max(0, columns - 1) * gap
        let svgHeight = margin * 2 + (layout.columnHeights.max() ?? 0) * rowHeight - 8
        func x(column: Int) -> Int { margin + column * (width + gap) }
        func y(row: Int) -> Int { margin + row * rowHeight + height / 2 }
        func x(_ index: Int) -> Int { x(column: layout.column[index]) }
        var text = "<section id=\"graph\">\n<h2>Dependencies</h2>\n"
        text += "<p class=\"hint\">Each atom stands right of what it depends on, an arrow from each dependency; open "
        text += "one by clicking it.</p>\n"
        // As wide as its box, up to twice its own size; a graph wider than the box keeps its size and scrolls.
        text += "<div class=\"graph-scroll\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgWidth)\" "
        text += "height=\"\(max(svgHeight, 0))\" viewBox=\"0 0 \(svgWidth) \(max(svgHeight, 0))\" "
        text +=
            "style=\"width: 100%; min-width: \(svgWidth)px; max-width: \(svgWidth * 2)px; height: auto\" role=\"img\" "
        text += "aria-label=\"dependency graph of plan \(HTMLText.escape(plan.id))\">\n"
        text += "<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"7\" "
        text += "markerHeight=\"7\" orient=\"auto\"><polygon points=\"0,0 8,4 0,8\"/></marker></defs>\n"
        text += "<g class=\"edges\">"
        for edge in layout.edges {
            // From the dependency's right side, through its lane in each column between (the gap, then the lane,
            // where no atom stands), to the dependent's left side.
            var (px, py) = (x(edge.from) + width, y(row: layout.row[edge.from]))
            var d = "M\(px) \(py)"
            let fromColumn = layout.column[edge.from]
            for (offset, lane) in edge.lanes.enumerated() {
                let (lx, ly) = (x(column: fromColumn + 1 + offset), y(row: lane))
                let middle = (px + lx) / 2
                d += "C\(middle) \(py) \(middle) \(ly) \(lx) \(ly)H\(lx + width)"
                (px, py) = (lx + width, ly)
            }
            let (tx, ty) = (x(edge.to), y(row: layout.row[edge.to]))
            let middle = (px + tx) / 2
            d += "C\(middle) \(py) \(middle) \(ty) \(tx) \(ty)"
            text +=
                "<path d=\"\(d)\" marker-end=\"url(#arrow)\" data-from=\"\(HTMLText.escape(plan.atoms[edge.from].id))\" "
            text += "data-to=\"\(HTMLText.escape(plan.atoms[edge.to].id))\"/>"
        }
        text += "</g>\n<g class=\"nodes\">\n"
        for (index, atom) in plan.atoms.enumerated() {
            let status = status(of: atom, in: state).rawValue
            let id = HTMLText.escape(atom.id)
            let label = atom.id.count > characters ? String(atom.id.prefix(characters - 1)) + "…" : atom.id
            let top = y(row: layout.row[index]) - height / 2
            text += "<a href=\"#atom-\(id)\" class=\"node \(status)\" data-atom=\"\(id)\">"
            text += "<title>\(id): \(status)</title>"
            text += "<rect x=\"\(x(index))\" y=\"\(top)\" width=\"\(width)\" height=\"\(height)\" rx=\"4\"/>"
            text += "<text x=\"\(x(index) + 8)\" y=\"\(top + 16)\">\(HTMLText.escape(label))</text></a>\n"
        }
        return text + "</g></svg></div>\n</section>\n"
    }

    package func atomTable(state: State) -> String {
        var text = "<section id=\"atoms\">\n<h2>Atoms</h2>\n"
        text += "<p><input type=\"search\" id=\"filter\" placeholder=\"filter by id, file or error\" "
        text += "aria-label=\"filter the atoms\"> <span id=\"filter-note\"></span></p>\n"
        text += "<table>\n<thead><tr><th>atom</th><th>status</th><th>evidence</th><th>attempts</th><th>file</th>"
        text += "<th>why it did not pass</th></tr></thead>\n<tbody>\n"
        // What needs a person first: atoms that did not pass, then passed ones from the weakest evidence up.
        func rank(_ atom: Atom) -> Int {
            let result = results[atom.id]
            return EvidenceLevel.reviewRank(passed: result?.status == .passed, level: result?.evidence?.level)
        }
        let ordered = plan.atoms.enumerated().sorted {
            (rank($0.element), $0.offset) < (rank($1.element), $1.offset)
        }.map(\.element)
        for atom in ordered {
            let status = status(of: atom, in: state).rawValue
            let result = results[atom.id]
            let attempts = (result?.attempts ?? unfinished[atom.id] ?? []).filter { $0.isModelCall }.count
            let byPerson = result?.status == .passed && result?.attempts.last?.isByPerson == true
            let id = HTMLText.escape(atom.id)
            text += "<tr class=\"\(status)\" data-atom=\"\(id)\"><td><a href=\"#atom-\(id)\">\(id)</a></td>"
            text += "<td><span class=\"status \(status)\">\(status)\(byPerson ? " (by a person)" : "")</span></td>"
            let evidence = result?.status == .passed ? result?.evidence : nil
            text += "<td title=\"\(HTMLText.escape(evidence?.summary ?? ""))\">"
            if let level = evidence?.level.rawValue { text += "<span class=\"evidence \(level)\">\(level)</span>" }
            text += "</td>"
            text += "<td>\(attempts)</td><td><code>\(HTMLText.escape(atom.file))</code></td>"
            text += "<td>\(HTMLText.escape(result.flatMap(RunSummary.error(of:)) ?? ""))</td></tr>\n"
        }
        return text + "</tbody>\n</table>\n</section>\n"
    }

    static func time(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
