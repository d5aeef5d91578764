import AtomForge
import Foundation
import Testing

/// `schemas/summary.schema.json`, `report.schema.json` and `event.schema.json` against what a real run writes: a
/// run through the real binary and the scripted server over HTTP with a passed, a failed, a blocked atom and a
/// suite, its `summary.json`, every `report.json`, every stream-json event and the result object, each checked with
/// a real validator (`jsonschema`, Draft 2020-12); and each carries the `schema_version` its schema names.
@Suite("JSON Schemas of the outputs", .serialized)
struct OutputSchemaTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("output-schemas")
    }

    /// Validates each file (a JSON document, or with `lines` one document a line) against `schema`; file → errors.
    func errors(_ schema: String, _ files: [String], lines: Bool = false) async throws -> [String: [String]] {
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema)
            lines = sys.argv[2] == "lines"
            result = {}
            for path in sys.argv[3:]:
                text = open(path).read()
                documents = [json.loads(line) for line in text.splitlines() if line.strip()] if lines else [json.loads(text)]
                result[path] = [
                    "/".join(map(str, error.absolute_path)) + ": " + error.message
                    for document in documents for error in validator.iter_errors(document)
                ]
                if not documents:
                    result[path] = ["no document"]
            print(json.dumps(result))
            """
        let root = SchemaTests.root
        let outcome = try await CommandRunner.run(
            root.appendingPathComponent(".venv/bin/python"),
            ["-c", script, root.appendingPathComponent(schema).path, lines ? "lines" : "whole"] + files,
            in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        return try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: [String]])
    }

    @Test("a run's summary.json, report.json files, events and result object each match their schema")
    func realOutputs() async throws {
        try writeConfig(
            retries: 0,
            """
              input_price_per_million: 1
              output_price_per_million: 2
            generation:
              max_attempts: 2
            """)
        try write(
            """
            plan: shapes
            language: python
            atoms:
              - {id: base, name: base, description: "Returns 1. base() == 1", file: pkg/base.py}
              - {id: broken, name: broken, description: "returns 2", file: pkg/broken.py, depends_on: [base],
                 tests: "assert broken() == 2"}
              - {id: after, name: after, description: "broken() + 1", file: pkg/broken.py, depends_on: [broken]}
            suite:
              - name: test_pkg.py
                code: |
                  from pkg.base import base
                  def test_base():
                      assert base() == 1
            """, to: "plan.yaml")
        try await server.script(
            Array(repeating: ["reply": "```python\ndef base():\n    return 1\n```"], count: 6), match: "defines `base`")
        try await server.script(
            Array(repeating: ["reply": "```python\ndef broken():\n    return 1\n```"], count: 6),
            match: "defines `broken`")
        let run = try await CommandRunner.atomforge(
            ["run", "plan.yaml", "--output-format", "stream-json"], in: folder.path)
        #expect(run.status == 1, "\(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n")
        #expect(lines.count > 5)
        try write(lines.dropLast().joined(separator: "\n") + "\n", to: "events.jsonl")
        try write(String(lines.last ?? ""), to: "result.json")

        let outbox = folder.appendingPathComponent("outbox/shapes").path
        let summary = try await errors("schemas/summary.schema.json", [outbox + "/summary.json", "result.json"])
        for (file, found) in summary { #expect(found.isEmpty, "\(file): \(found)") }
        let reports = ["base", "broken", "after"].map { outbox + "/atoms/\($0)/report.json" }
        let reported = try await errors("schemas/report.schema.json", reports)
        #expect(reported.count == 3)
        for (file, found) in reported { #expect(found.isEmpty, "\(file): \(found)") }
        let events = try await errors("schemas/event.schema.json", ["events.jsonl"], lines: true)
        for (file, found) in events { #expect(found.isEmpty, "\(file): \(found)") }

        // Each names the version of its shape.
        for path in [outbox + "/summary.json", reports[0]] {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
            #expect((object as? [String: Any])?["schema_version"] as? Int == 1, "\(path)")
        }
        for line in lines.dropLast() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["schema_version"] as? Int == 1, "\(line)")
        }
        // The result of a run that did not start has the same shape.
        try write("plan: bad\natoms: [", to: "bad.yaml")
        let invalid = try await CommandRunner.atomforge(
            ["run", "bad.yaml", "--output-format", "json"], in: folder.path)
        #expect(invalid.status == 2)
        try write(invalid.standardOutput, to: "invalid.json")
        let nothing = try await errors("schemas/summary.schema.json", ["invalid.json"])
        #expect(nothing["invalid.json"] == [], "\(nothing)")
        // A schema that is checked, not decorative: a summary without its counts is refused.
        try write(#"{"schema_version": 1, "plan": "x", "status": "passed"}"#, to: "broken-summary.json")
        let refused = try await errors("schemas/summary.schema.json", ["broken-summary.json"])
        #expect(refused["broken-summary.json"]?.contains { $0.contains("'counts' is a required property") } == true)
    }
}
