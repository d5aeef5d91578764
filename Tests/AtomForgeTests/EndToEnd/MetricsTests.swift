import AtomForgeTestSupport
import Foundation
import Testing

/// The metrics file for Prometheus' textfile collector, written by the real binary after a run against the
/// scripted server and read with `prometheus_client`'s own text-format parser (from `.venv`).
@Suite("metrics for Prometheus", .serialized)
struct MetricsTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("metrics")
    }

    /// The samples of the file, parsed by prometheus_client: `name{label="value",…}` → value.
    func samples(_ path: String) async throws -> [String: Double] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            samples = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for sample in family.samples:
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                    samples[sample.name + ("{" + labels + "}" if labels else "")] = sample.value
            print(json.dumps(samples))
            """
        let parsed = try await CommandRunner.run(
            RepositoryFiles.root.appendingPathComponent(".venv/bin/python"), ["-c", script, path], in: folder.path)
        #expect(parsed.status == 0, "\(parsed.standardError)")
        return try #require(
            try JSONSerialization.jsonObject(with: Data(parsed.standardOutput.utf8)) as? [String: Double])
    }

    @Test("a run's plans, atoms, attempts, calls, retries, tokens, cost and durations, parsed and counted")
    func textfile() async throws {
        try writeConfig(
            retries: 2,
            """
              input_price_per_million: 1.0
              output_price_per_million: 2.0
            generation:
              max_attempts: 2
              ladder:
                - {kind: sample, temperature: 0.2}
            metrics:
              textfile: metrics/atomforge.prom
              interval_s: 1
            """)
        try write(
            """
            plan: counted
            language: python
            atoms:
              - {id: base, name: base, description: "returns 1", file: c/base.py, tests: "assert base() == 1"}
              - {id: broken, name: broken, description: "returns 2", file: c/broken.py, depends_on: [base],
                 tests: "assert broken() == 2"}
              - {id: after, name: after, description: "broken() + 1", file: c/broken.py, depends_on: [broken],
                 tests: "assert after() == 3"}
            """, to: "plan.yaml")
        try await server.script(
            [
                ["status": 529, "error_type": "overloaded_error", "message": "Overloaded"],
                ["reply": "```python\ndef base():\n    return 1\n```"],
            ], match: "defines `base`")
        try await server.script(
            [
                ["reply": "```python\ndef broken():\n    return 1\n```"],
                ["reply": "```python\ndef broken():\n    return 3\n```"],
            ],
            match: "defines `broken`")
        let run = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(run.status == 1, "\(run.standardError)")
        let path = folder.appendingPathComponent("metrics/atomforge.prom").path
        let metrics = try await samples(path)
        #expect(metrics["atomforge_plans_total{status=\"failed\"}"] == 1, "\(metrics)")
        #expect(metrics["atomforge_plans_running"] == 0)
        #expect(metrics["atomforge_atoms_total{status=\"passed\"}"] == 1)
        #expect(metrics["atomforge_atoms_total{status=\"failed\"}"] == 1)
        #expect(metrics["atomforge_atoms_total{status=\"blocked\"}"] == 1)
        #expect(metrics["atomforge_attempts_total{kind=\"sample\",status=\"passed\"}"] == 1)
        #expect(metrics["atomforge_attempts_total{kind=\"sample\",status=\"failed\"}"] == 2)
        #expect(metrics["atomforge_model_calls_total{outcome=\"reply\"}"] == 3)
        #expect(metrics["atomforge_transport_retries_total"] == 1, "the 529 was retried once")
        let input = try #require(metrics["atomforge_tokens_total{direction=\"input\"}"])
        let output = try #require(metrics["atomforge_tokens_total{direction=\"output\"}"])
        #expect(input > 0 && output > 0)
        let cost = try #require(metrics["atomforge_cost_dollars_total"])
        #expect(abs(cost - (input * 1 + output * 2) / 1e6) < 1e-9)
        #expect(metrics["atomforge_model_call_duration_seconds_count"] == 3)
        #expect(metrics["atomforge_model_call_duration_seconds_bucket{le=\"+Inf\"}"] == 3)
        #expect(metrics["atomforge_validation_duration_seconds_count"] == 3)
        #expect((metrics["atomforge_validation_duration_seconds_sum"] ?? 0) > 0)
        #expect(metrics["atomforge_atoms_waiting"] == 0 && metrics["atomforge_atoms_running"] == 0)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("metrics").path)
        #expect(left == ["atomforge.prom"], "written by rename: no temporary file is left")
        await server.server.stop()
    }

    @Test("a metrics file that is not .prom is refused with what to fix")
    func badName() async throws {
        try write("metrics:\n  textfile: metrics/atomforge.txt\n  interval_s: 0\n", to: "pipeline.yaml")
        try write("plan: p\natoms:\n  - {id: a, name: a, description: d}\n", to: "plan.yaml")
        let check = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(check.status == 2)
        #expect(check.standardError.contains("metrics.textfile must end in .prom"), "\(check.standardError)")
        #expect(check.standardError.contains("metrics.interval_s must be from 1 second to a day"))
        await server.server.stop()
    }
}
