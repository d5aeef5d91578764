import AtomForgeTestSupport
import Foundation
import Testing

@testable import AtomForge

/// The run page's dependency graph as a browser draws it: in headless Chromium, every edge of the example plans and
/// of a generated 200-atom plan is walked point by point, and no point falls inside the box of an atom the edge does
/// not connect; each edge has its arrowhead, and each box its full id on hover.
@Suite("the dependency graph in a browser")
struct GraphBrowserTests {
    /// A plan of `count` atoms in layers, each depending on up to three earlier atoms, some far back (so edges span
    /// several columns), from a fixed seed.
    static func generatedPlan(count: Int) -> Plan {
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var atoms: [Atom] = []
        for index in 0..<count {
            var dependencies: Set<String> = []
            if index > 0 {
                for _ in 0..<next(4) { dependencies.insert("atom_\(next(index))") }
            }
            atoms.append(
                Atom(
                    id: "atom_\(index)", name: "atom_\(index)", description: "d", file: "m\(index % 7).py",
                    language: .named("python"), dependsOn: dependencies.sorted()))
        }
        return Plan(id: "generated", atoms: atoms)
    }

    /// Walks each edge in the browser; the result as JSON in the page's DOM.
    static let walker = """
        <script>
        window.addEventListener("load", () => {
          const out = document.createElement("pre");
          out.id = "graph-check";
          try {
          const boxes = [...document.querySelectorAll("#graph .node")].map((node) => {
            const rect = node.querySelector("rect");
            return { id: node.dataset.atom, x: +rect.getAttribute("x"), y: +rect.getAttribute("y"),
                     w: +rect.getAttribute("width"), h: +rect.getAttribute("height"),
                     title: node.querySelector("title").textContent };
          });
          const crossings = [];
          let edges = 0, arrows = 0;
          for (const path of document.querySelectorAll("#graph .edges path")) {
            edges += 1;
            if (path.getAttribute("marker-end") === "url(#arrow)") arrows += 1;
            const length = path.getTotalLength();
            // Only the boxes the path's bounding box meets can be under it.
            const area = path.getBBox();
            const near = boxes.filter((box) => box.id !== path.dataset.from && box.id !== path.dataset.to &&
              box.x < area.x + area.width && box.x + box.w > area.x && box.y < area.y + area.height && box.y + box.h > area.y);
            for (let at = 0; near.length && at <= length; at += 1) {
              const p = path.getPointAtLength(at);
              for (const box of near) {
                if (p.x > box.x + 0.5 && p.x < box.x + box.w - 0.5 && p.y > box.y + 0.5 && p.y < box.y + box.h - 0.5) {
                  crossings.push(path.dataset.from + "->" + path.dataset.to + " under " + box.id);
                  break;
                }
              }
            }
          }
          const titled = boxes.filter((box) => box.title.startsWith(box.id + ":")).length;
          out.textContent = JSON.stringify({ edges, arrows, boxes: boxes.length, titled, crossings: [...new Set(crossings)] });
          } catch (error) {
            out.textContent = JSON.stringify({ error: String(error) });
          }
          document.body.appendChild(out);
        });
        </script>
        """

    func check(_ plan: Plan) async throws -> [String: Any] {
        var page = RunPage(plan: plan, folder: "outbox/\(plan.id)", model: "m", results: [:])
        let html = page.html(state: .finished).replacingOccurrences(of: "</body>", with: Self.walker + "</body>")
        // Kept where tests keep what a person may want to open: the page as the browser checked it.
        let file = HeadlessChromium.artifacts.appendingPathComponent("graph-\(plan.id).html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        let dom = try await HeadlessChromium.dom(of: file)
        let json = try #require(
            dom.firstMatch(of: /<pre id="graph-check">(?<json>[^<]*)<\/pre>/).map { String($0.output.json) },
            "the walker reported nothing on \(plan.id) (\(dom.count) characters of DOM): \(dom.suffix(600))")
        let decoded = json.replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&amp;", with: "&")
        return try #require(try JSONSerialization.jsonObject(with: Data(decoded.utf8)) as? [String: Any])
    }

    @Test("no edge runs under a box it does not connect, each has an arrowhead: the examples and 200 atoms")
    func noEdgeUnderABox() async throws {
        let examples = try FileManager.default.contentsOfDirectory(
            atPath: RepositoryFiles.root.appendingPathComponent("examples/plans").path
        ).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted()
        var plans = try examples.map { name in
            try #require(
                PlanChecker.check(fileAt: RepositoryFiles.root.appendingPathComponent("examples/plans/" + name).path)
                    .validPlan, "\(name)")
        }
        plans.append(Self.generatedPlan(count: 200))
        var spanning = 0
        for plan in plans {
            let result = try await check(plan)
            #expect(result["error"] == nil, "\(plan.id): \(result)")
            let layout = GraphLayout(DependencyGraph(plan.atoms))
            let edges = layout.edges.count
            #expect(result["edges"] as? Int == edges, "\(plan.id): \(result)")
            #expect(result["arrows"] as? Int == edges, "\(plan.id): \(result)")
            #expect(result["titled"] as? Int == plan.atoms.count, "\(plan.id): \(result)")
            #expect((result["crossings"] as? [String])?.isEmpty == true, "\(plan.id): \(result)")
            spanning += layout.edges.filter { !$0.lanes.isEmpty }.count
        }
        // Edges that span columns were there to route: the check is not of straight neighbours only.
        #expect(spanning > 50, "\(spanning)")
    }
}
