import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// `schemas/plan.schema.json` and `schemas/pipeline.schema.json` against every example and every fixture, with a
/// real validator (`jsonschema` from `.venv`, Draft 2020-12), and against AtomForge's own checks: on each fixture
/// the schema and AtomForge agree, valid or invalid, as the fixture's folder says.
@Suite("JSON Schemas")
struct SchemaTests {
    static let root = RepositoryFiles.root

    /// The schema's errors for each file (YAML read by PyYAML, JSON by json): file → messages (empty when valid).
    static func schemaErrors(_ schema: String, _ files: [String]) async throws -> [String: [String]] {
        let script = """
            import json, sys, yaml
            from jsonschema import Draft202012Validator
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema)
            result = {}
            for path in sys.argv[2:]:
                text = open(path).read()
                document = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
                result[path] = [
                    "/".join(map(str, error.absolute_path)) + ": " + error.message
                    for error in validator.iter_errors({} if document is None else document)
                ]
            print(json.dumps(result))
            """
        let outcome = try await CommandRunner.run(
            root.appendingPathComponent(".venv/bin/python"), ["-c", script, schema] + files, in: root.path)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        return try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: [String]])
    }

    static func files(in folder: String, matching suffixes: [String] = [".yaml", ".json"]) -> [String] {
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return names.filter { name in suffixes.contains { name.hasSuffix($0) } }.sorted().map { folder + "/" + $0 }
    }

    /// Whether AtomForge itself accepts the config file.
    static func atomForgeAccepts(config path: String) -> Bool {
        (try? PipelineConfig.load(fromFile: root.appendingPathComponent(path).path)) != nil
    }

    static func atomForgeAccepts(plan path: String) -> Bool {
        PlanChecker.check(fileAt: root.appendingPathComponent(path).path).validPlan != nil
    }

    @Test("every config example and fixture: the schema and AtomForge agree, as the fixture's folder says")
    func pipelineSchema() async throws {
        let valid =
            ["pipeline.yaml"] + Self.files(in: "examples/config") + Self.files(in: "Tests/Fixtures/config/valid")
        let invalid = Self.files(in: "Tests/Fixtures/config/invalid")
        #expect(valid.count >= 7 && invalid.count >= 8)
        let errors = try await Self.schemaErrors("schemas/pipeline.schema.json", valid + invalid)
        for file in valid {
            #expect(errors[file] == [], "\(file): \(errors[file] ?? [])")
            #expect(Self.atomForgeAccepts(config: file), "\(file)")
        }
        for file in invalid {
            #expect(errors[file]?.isEmpty == false, "the schema accepts \(file)")
            #expect(!Self.atomForgeAccepts(config: file), "AtomForge accepts \(file)")
        }
    }

    @Test("every example plan and fixture: the schema and AtomForge agree, as the fixture's folder says")
    func planSchema() async throws {
        let valid = Self.files(in: "examples/plans") + Self.files(in: "Tests/Fixtures/plans/valid")
        let invalid = Self.files(in: "Tests/Fixtures/plans/invalid")
        #expect(valid.count >= 6 && invalid.count >= 7)
        let errors = try await Self.schemaErrors("schemas/plan.schema.json", valid + invalid)
        for file in valid {
            #expect(errors[file] == [], "\(file): \(errors[file] ?? [])")
            #expect(Self.atomForgeAccepts(plan: file), "\(file)")
        }
        for file in invalid {
            #expect(errors[file]?.isEmpty == false, "the schema accepts \(file)")
            #expect(!Self.atomForgeAccepts(plan: file), "AtomForge accepts \(file)")
        }
    }

    @Test("the YAML examples name their schema for editors (yaml-language-server)")
    func examplesReferenceTheirSchema() throws {
        let files =
            ["pipeline.yaml"] + Self.files(in: "examples/config", matching: [".yaml"])
            + Self.files(in: "examples/plans", matching: [".yaml"])
        for file in files {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            let first = text.prefix { $0 != "\n" }
            let schema = file.hasPrefix("examples/plans") ? "plan.schema.json" : "pipeline.schema.json"
            #expect(
                first.hasPrefix("# yaml-language-server: $schema=") && first.hasSuffix("schemas/" + schema), "\(file)")
            let target = URL(
                fileURLWithPath: String(first.split(separator: "=").last ?? ""),
                relativeTo: Self.root.appendingPathComponent(file).deletingLastPathComponent())
            #expect(FileManager.default.fileExists(atPath: target.path), "\(file) points at \(target.path)")
        }
    }
}
