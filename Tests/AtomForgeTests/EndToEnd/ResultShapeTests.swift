import AtomForge
import Foundation
import Testing

/// `--output-format json` gives one object of one shape however a run ends (finished, stopped by its budget,
/// interrupted by an outage, refused as invalid): `status`, `ending`, `counts`, `tokens`, and for a stop `reason`;
/// `summary.md` of a stopped run is titled for it and links no review page that does not exist; the final line and
/// `plan_finished` carry the cost. Through the real binary and the scripted server over HTTP.
@Suite("one result shape for every ending", .serialized)
struct ResultShapeTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("shape")
        try write(
            """
            plan: shape
            language: python
            atoms:
              - {id: one, name: one, description: "returns 1", tests: "assert one() == 1"}
              - {id: two, name: two, description: "returns 2", depends_on: [one], tests: "assert two() == 2"}
            """, to: "plan.yaml")
    }

    func config(baseURL: String? = nil, extra: String = "") throws {
        try write(
            """
            provider:
              base_url: \(baseURL ?? server.baseURL + "/v1")
              model: priced-model
              max_retries: 0
              input_price_per_million: 1000
              output_price_per_million: 2000
            generation:
              max_attempts: 1
            evidence: {agreement: {candidates: 0}}
            \(extra)
            """, to: "pipeline.yaml")
    }

    func scriptBoth() async throws {
        try await server.script([["reply": "```python\ndef one():\n    return 1\n```"]], match: "defines `one`")
        try await server.script([["reply": "```python\ndef two():\n    return 2\n```"]], match: "defines `two`")
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    /// The keys every ending's object has.
    func expectShape(_ object: [String: Any], status: String, ending: String) {
        #expect(object["status"] as? String == status, "\(object)")
        #expect(object["ending"] as? String == ending, "\(object)")
        #expect(object["schema_version"] as? Int == 1, "\(object)")
        let counts = object["counts"] as? [String: Int]
        #expect(counts.map { Set($0.keys) } == ["passed", "failed", "blocked", "unfinished"], "\(object)")
        #expect((object["tokens"] as? [String: Int])?["input"] != nil, "\(object)")
        #expect(object["exit_code"] is Int && object["messages"] is [String], "\(object)")
    }

    @Test("finished: the summary with ending finished, its cost in the final line and in plan_finished")
    func finished() async throws {
        try config()
        try await scriptBoth()
        let run = try await CommandRunner.atomforge(
            ["run", "plan.yaml", "--output-format", "stream-json"], in: folder.path)
        #expect(run.status == 0, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        let result = try object(try #require(lines.last))
        expectShape(result, status: "passed", ending: "finished")
        let cost = try #require(result["cost_usd"] as? Double, "\(result)")
        #expect(cost > 0)
        let finished = try object(try #require(lines.first { $0.contains("\"plan_finished\"") }))
        #expect(finished["ending"] as? String == "finished", "\(finished)")
        #expect(finished["cost_usd"] as? Double == cost, "\(finished)")
        #expect(run.standardError.contains(String(format: "$%.4f", cost)), "\(run.standardError)")
    }

    @Test("stopped by the budget: status stopped, ending budget, the counts so far, a reason; summary.md says so")
    func budget() async throws {
        try config(extra: "budget:\n  tokens_per_plan: 10")
        try await scriptBoth()
        let run = try await CommandRunner.atomforge(["run", "plan.yaml", "--output-format", "json"], in: folder.path)
        #expect(run.status == 3, "\(run.standardError)")
        let result = try object(run.standardOutput)
        expectShape(result, status: "stopped", ending: "budget")
        #expect((result["counts"] as? [String: Int])?["unfinished"] == 1, "\(result)")
        #expect((result["tokens"] as? [String: Int])?["output"] ?? 0 > 0, "\(result)")
        #expect((result["reason"] as? String)?.contains("budget.tokens_per_plan") == true, "\(result)")
        let markdown = try String(contentsOf: folder.appendingPathComponent("outbox/shape/summary.md"), encoding: .utf8)
        #expect(markdown.hasPrefix("# Plan shape: stopped\n"), "\(markdown)")
        #expect(markdown.contains("(budget)"), "\(markdown)")
        // Every review page it links exists: an unfinished atom has none yet.
        for match in markdown.matches(of: /\]\((review\/[^)]+)\)/) {
            let page = folder.appendingPathComponent("outbox/shape/" + String(match.output.1)).path
            #expect(FileManager.default.fileExists(atPath: page), "a dead link: \(match.output.1)")
        }
        #expect(markdown.contains("| two | **unfinished** |"), "\(markdown)")
    }

    @Test("a money cap stops the plan before a call that could pass it, priced as the summary prices it")
    func costCap() async throws {
        // $1000 and $2000 per million tokens: a call of up to 500 output tokens may cost $1.00 and its input more.
        try write(
            """
            provider:
              base_url: \(server.baseURL)/v1
              model: priced-model
              max_retries: 0
              max_tokens: 500
              input_price_per_million: 1000
              output_price_per_million: 2000
            generation:
              max_attempts: 1
            evidence: {agreement: {candidates: 0}}
            budget: {cost_per_plan: 1.25}
            """, to: "pipeline.yaml")
        // The first call costs $0.20 (100 in, 50 out); the second could cost up to $1.10: $1.30 in all, past $1.25.
        try await server.script(
            [["reply": "```python\ndef one():\n    return 1\n```", "input_tokens": 100, "output_tokens": 50]],
            match: "defines `one`")
        try await server.script([["reply": "```python\ndef two():\n    return 2\n```"]], match: "defines `two`")
        let run = try await CommandRunner.atomforge(["run", "plan.yaml", "--output-format", "json"], in: folder.path)
        #expect(run.status == 3, "\(run.standardError)")
        let result = try object(run.standardOutput)
        expectShape(result, status: "stopped", ending: "budget")
        // The first call ran (nothing spent yet); the second could have passed the cap, so it was not made.
        #expect((result["counts"] as? [String: Int])?["passed"] == 1, "\(result)")
        #expect(try await server.requests().filter { $0.lastUserText.contains("defines `two`") }.isEmpty)
        let cost = try #require(result["cost_usd"] as? Double)
        #expect(cost == 0.2, "\(result)")
        #expect(
            run.standardError.contains("stopped: the plan reached budget.cost_per_plan ($1.25; $0.2000 used"),
            "\(run.standardError)")
        // A cap on a model whose price nobody knows is refused before anything runs.
        try write(
            """
            provider:
              base_url: \(server.baseURL)/v1
              model: some-local-model
            budget: {cost_per_plan: 1}
            """, to: "pipeline.yaml")
        let refused = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(refused.status == 2)
        #expect(
            refused.standardError.contains("budget.cost_per_plan needs the model's price"), "\(refused.standardError)")
    }

    @Test("interrupted by an outage: status interrupted, ending outage, the atoms unfinished")
    func outage() async throws {
        // A port nothing listens on: every call is refused.
        try config(baseURL: "http://127.0.0.1:9/v1")
        let run = try await CommandRunner.atomforge(["run", "plan.yaml", "--output-format", "json"], in: folder.path)
        #expect(run.status == 4, "\(run.standardError)")
        let result = try object(run.standardOutput)
        expectShape(result, status: "interrupted", ending: "outage")
        #expect((result["counts"] as? [String: Int])?["unfinished"] == 2, "\(result)")
        #expect((result["reason"] as? String)?.contains("the provider did not serve the requests") == true)
    }

    @Test("invalid: the same keys with nothing counted, ending invalid, and the problems")
    func invalid() async throws {
        try config()
        try write("plan: shape\natoms:\n  - {id: x}\n", to: "bad.yaml")
        let run = try await CommandRunner.atomforge(["run", "bad.yaml", "--output-format", "json"], in: folder.path)
        #expect(run.status == 2)
        let result = try object(run.standardOutput)
        expectShape(result, status: "invalid", ending: "invalid")
        #expect((result["counts"] as? [String: Int])?.values.allSatisfy { $0 == 0 } == true, "\(result)")
        #expect((result["problems"] as? [String])?.isEmpty == false, "\(result)")
    }
}
