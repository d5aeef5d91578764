import AtomForgeModel
import AtomForgeSystem
import Foundation

/// `outbox/<plan>/index.html`: the whole run on one page a person opens in a browser, straight from the file.
///
/// The overview (status counts, the dependency graph coloured by status, the table of atoms) is plain HTML written
/// here, so it shows at once and for any plan size; an atom's details (its attempts side by side, each with its diff
/// to the one before, highlighted code, the issues, the prompt and reply folded) are data the page's script renders
/// when the atom is opened. Everything is inline (Prism for the highlighting, the script, the styles) and a content
/// security policy forbids any request: the page works from `file://`, offline, and cannot be made to call out by
/// what a model wrote.
///
/// Each atom's data is encoded once, when its result changes, so rewriting the page while a large plan runs costs
/// little more than writing the file.
package struct RunPage: Sendable {
    package enum State: String, Sendable {
        case running, finished, stopped, interrupted
    }

    let plan: Plan
    /// The run folder as commands name it (`atomforge accept <folder> <id>`).
    let folder: String
    let model: String
    let startedAt: Date
    let graph: DependencyGraph
    let layout: GraphLayout
    private(set) var results: [String: AtomResult]
    /// Attempts of atoms that have no verdict yet: those an interrupted run or a retry goes on from.
    private(set) var unfinished: [String: [AttemptRecord]]
    /// What the whole tree came to once the atoms were done: its load check and the plan's suite.
    package var verdict = TreeVerdict()
    /// Per atom, its ``RunPageAtom`` as JSON and the status it was encoded with; dropped when the atom changes.
    private var encoded: [String: (status: PageStatus, json: String)] = [:]

    package init(
        plan: Plan, folder: String, model: String, results: [String: AtomResult],
        unfinished: [String: [AttemptRecord]] = [:], startedAt: Date = Date()
    ) {
        self.plan = plan
        self.folder = folder
        self.model = model
        self.startedAt = startedAt
        self.results = results
        self.unfinished = unfinished
        graph = DependencyGraph(plan.atoms)
        layout = GraphLayout(graph)
    }

    mutating func record(_ result: AtomResult) {
        results[result.id] = result
        unfinished[result.id] = nil
        encoded[result.id] = nil
    }

    mutating func recordUnfinished(_ attempts: [AttemptRecord], of id: String) {
        results[id] = nil
        unfinished[id] = attempts
        encoded[id] = nil
    }

    /// What a status reads as on the page: an atom without a result is `pending` while the run goes on and
    /// `unfinished` once it has stopped.
    func status(of atom: Atom, in state: State) -> PageStatus {
        results[atom.id].map { PageStatus($0.status) } ?? (state == .running ? .pending : .unfinished)
    }

    /// The page as it stands. `mutating` only to keep the atoms' encoded data for the next time.
    package mutating func html(state: State, now: Date = Date()) -> String {
        pieces(state: state, now: now).joined()
    }

    /// The page as pieces to write one after the other (``AtomicFile/write(pieces:to:mode:)``): each atom's data
    /// is a piece of its own, kept from one page to the next, so a page of 10,000 atoms is never built whole.
    mutating func pieces(state: State, now: Date = Date()) -> [String] {
        var page = "<!doctype html>\n<html lang=\"en\" data-state=\"\(state.rawValue)\">\n<head>\n"
        page += "<meta charset=\"utf-8\">\n"
        page +=
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            + "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        page += "<title>\(HTMLText.escape(plan.id)) — \(overallStatus(state)) · AtomForge</title>\n"
        page += "<style>\n\(Self.prismStyles)\n\(Self.pageStyles)\n</style>\n</head>\n<body>\n"
        page += header(state: state, now: now)
        page += "<main id=\"overview\">\n"
        page += verdictSection()
        page += graphSection(state: state)
        page += atomTable(state: state)
        page += "</main>\n<section id=\"detail\" hidden></section>\n"
        page += "<script type=\"application/json\" id=\"run-data\">"
        var pieces = [page]
        pieces += data(state: state, now: now)
        pieces.append(
            "</script>\n<script>window.Prism = { manual: true };</script>\n"
                + "<script>\n\(Self.prismScript)\n</script>\n<script>\n\(Self.pageScript)\n</script>\n</body>\n</html>\n"
        )
        return pieces
    }

    /// `passed` once every atom passed and the tree held (it loads, the plan's suite passes), `running` while the
    /// run goes on, `failed` otherwise.
    package func overallStatus(_ state: State) -> String {
        if plan.atoms.allSatisfy({ results[$0.id]?.status == .passed }), verdict.holds { return "passed" }
        return state == .running ? "running" : state == .finished ? "failed" : state.rawValue
    }

    /// The run's data as script-safe JSON, in pieces: the run, then each atom's (cached, made script-safe once).
    private mutating func data(state: State, now: Date) -> [String] {
        struct Run: Encodable {
            var plan: String
            /// The folder as a shell word, for the commands the page offers to copy.
            var folder: String
            var state: String
            /// When the page was written (ms since 1970), so that a page left `running` by a crash can say so.
            var writtenAt: Double
        }
        let run = Run(
            plan: plan.id, folder: ShellWord.quote(folder), state: state.rawValue,
            writtenAt: (now.timeIntervalSince1970 * 1000).rounded())
        var pieces = [HTMLText.scriptSafe(json: "{\"run\":" + OutboxJSON.encode(run, pretty: false) + ",\"atoms\":[")]
        pieces.reserveCapacity(plan.atoms.count + 2)
        for (index, atom) in plan.atoms.enumerated() {
            let status = status(of: atom, in: state)
            // A pending atom turns `unfinished` when the run stops: its data is encoded again then.
            if let cached = encoded[atom.id], cached.status == status {
                pieces.append(cached.json)
                continue
            }
            let result = results[atom.id]
            let attempts = result?.attempts ?? unfinished[atom.id] ?? []
            let text = OutboxJSON.encode(
                RunPageAtom(atom: atom, status: status, result: result, attempts: attempts), pretty: false)
            // The separator is part of the piece: the atoms' order never changes.
            let piece = (index > 0 ? "," : "") + HTMLText.scriptSafe(json: text)
            encoded[atom.id] = (status, piece)
            pieces.append(piece)
        }
        pieces.append("]}")
        return pieces
    }

    private static let prismScript = EmbeddedFile.text(PackageResources.prism_js)
    private static let prismStyles = EmbeddedFile.text(PackageResources.prism_css)
    private static let pageScript = EmbeddedFile.text(PackageResources.run_page_js)
    private static let pageStyles = EmbeddedFile.text(PackageResources.run_page_css)
}
