import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// Every numeric setting of `pipeline.yaml`, as the schema lists them, at and beyond its bounds: beyond them, a load
/// error naming the key; all at their upper bounds together, a run through the real binary that finishes instead of
/// trapping on an overflow, a Double that does not fit a Duration, or a limit that wraps into no limit.
@Suite("numeric settings at their extremes", .serialized)
struct ConfigExtremesTests {
    /// A numeric key: its path (`"0"` for the first entry of a list) and its bounds as the schema gives them.
    struct NumericKey: CustomStringConvertible {
        var path: [String]
        var integer: Bool
        var maximum: Double?

        var description: String { path.joined(separator: ".") }
        /// Whether the key sits inside a list (a ladder step, a temperature).
        var inList: Bool { path.contains("0") }
    }

    static func schema() -> [String: Any] {
        let data = FileManager.default.contents(atPath: RepositoryFiles.path("schemas/pipeline.schema.json"))
        return (try? JSONSerialization.jsonObject(with: data ?? Data()) as? [String: Any]) ?? [:]
    }

    /// `node` with its `$ref` followed (its own keys over the referenced definition's, properties merged) and the
    /// first non-null branch of an `anyOf` taken.
    static func resolved(_ node: [String: Any], _ definitions: [String: [String: Any]]) -> [String: Any] {
        var node = node
        if let reference = node["$ref"] as? String, let name = reference.split(separator: "/").last,
            let base = definitions[String(name)]
        {
            let own = node
            node = resolved(base, definitions)
            var properties = node["properties"] as? [String: Any] ?? [:]
            for (key, value) in own["properties"] as? [String: Any] ?? [:] {
                var merged = properties[key] as? [String: Any] ?? [:]
                for (field, setting) in value as? [String: Any] ?? [:] { merged[field] = setting }
                properties[key] = merged
            }
            for (field, value) in own where field != "$ref" && field != "properties" { node[field] = value }
            if !properties.isEmpty { node["properties"] = properties }
        }
        if let options = node["anyOf"] as? [[String: Any]],
            let first = options.first(where: { ($0["type"] as? String) != "null" })
        {
            node = resolved(first, definitions)
        }
        return node
    }

    static func numericKeys() -> [NumericKey] {
        var keys: [NumericKey] = []
        let schema = schema()
        let definitions = schema["$defs"] as? [String: [String: Any]] ?? [:]
        func walk(_ raw: [String: Any], _ path: [String]) {
            let node = resolved(raw, definitions)
            let types = node["type"] as? [String] ?? [node["type"] as? String ?? ""]
            if let properties = node["properties"] as? [String: Any] {
                for (key, value) in properties { walk(value as? [String: Any] ?? [:], path + [key]) }
            } else if (types.contains("integer") || types.contains("number")) && !types.contains("string") {
                keys.append(
                    NumericKey(path: path, integer: !types.contains("number"), maximum: node["maximum"] as? Double))
            } else if types.contains("array"), let items = node["items"] as? [String: Any] {
                walk(items, path + ["0"])
            }
        }
        walk(schema, [])
        return keys.sorted { $0.description < $1.description }
    }

    /// A config with `value` (YAML text) at `key`, and what the key needs around it (a server's command and port, a
    /// ladder step's kind).
    static func document(_ key: NumericKey, _ value: String) -> String {
        var root: [String: Any] = [:]
        let server: [String: Any] = ["command": "llama-server", "port": 8090]
        if key.path.first == "server" { root["server"] = server }
        if key.path.first == "escalation" {
            var escalation: [String: Any] = ["provider": [String: Any]()]
            if key.path.dropFirst().first == "server" { escalation["server"] = server }
            root["escalation"] = escalation
        }
        func placed(_ container: Any?, _ path: ArraySlice<String>) -> Any {
            guard let head = path.first else { return "@@VALUE@@" }
            if head == "0" {
                var entry = (container as? [Any])?.first as? [String: Any] ?? [:]
                if path.count == 1 { return [placed(nil, path.dropFirst())] }
                if key.path.contains("ladder") {
                    entry["kind"] = "sample"
                    entry["temperature"] = 0.2
                }
                return [placed(entry, path.dropFirst())]
            }
            var mapping = container as? [String: Any] ?? [:]
            mapping[head] = placed(mapping[head], path.dropFirst())
            return mapping
        }
        let whole = placed(root, key.path[...])
        let data = (try? JSONSerialization.data(withJSONObject: whole, options: .sortedKeys)) ?? Data()
        // JSON is YAML's flow style; the value goes in as a plain scalar, as a person would write it.
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"@@VALUE@@\"", with: value)
    }

    @Test("the schema bounds every numeric key, both ways")
    func schemaBoundsEveryKey() {
        let keys = Self.numericKeys()
        #expect(keys.count >= 30, "\(keys)")
        #expect(keys.filter { $0.maximum == nil }.isEmpty, "keys without a maximum in the schema")
    }

    @Test("beyond its bounds each numeric key is refused at load, naming the key; nothing traps")
    func beyondTheBounds() {
        for key in Self.numericKeys() {
            for value in ["9223372036854775807", "-9223372036854775808", "1e300", "-1e300", "nan"] {
                do {
                    _ = try PipelineConfig.parse(Self.document(key, value))
                    Issue.record("\(key) = \(value) was accepted")
                } catch {
                    // A value of the key's own type is refused by the bound, which names the key.
                    let ownType = key.integer ? !value.contains("e") && value != "nan" : true
                    if ownType && !key.inList {
                        #expect(error.description.contains(key.description), "\(key) = \(value): \(error)")
                    }
                }
            }
        }
    }

    @Test("every numeric key at its upper bound at once: the real binary runs a plan to its end")
    func everyKeyAtItsMaximum() async throws {
        let server = try await ScriptedServer.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("extremes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The managed server's and the escalation's keys need a server to start; the older temperatures form
        // cannot go with a ladder.
        let keys = Self.numericKeys().filter {
            !["server", "escalation"].contains($0.path[0]) && !$0.path.contains("temperatures")
        }
        var root: [String: Any] = [:]
        func set(_ value: Any, at path: ArraySlice<String>, in mapping: inout [String: Any]) {
            guard let head = path.first else { return }
            if path.count == 1 {
                mapping[head] = value
            } else {
                var inner = mapping[head] as? [String: Any] ?? [:]
                set(value, at: path.dropFirst(), in: &inner)
                mapping[head] = inner
            }
        }
        // A money cap is bounded by what one call may cost at the prices' maxima: at its own maximum it is less.
        for key in keys where !key.inList && key.description != "budget.cost_per_plan" {
            let maximum = try #require(key.maximum, "\(key)")
            let value: Any = maximum == maximum.rounded() ? Int(maximum) : maximum
            set(value, at: key.path[...], in: &root)
        }
        set("\(server.baseURL)/v1", at: ["provider", "base_url"], in: &root)
        set([["kind": "sample", "temperature": 2, "candidates": 8]], at: ["generation", "ladder"], in: &root)
        // JSON is YAML's flow style.
        let config = String(
            decoding: try JSONSerialization.data(withJSONObject: root, options: .sortedKeys), as: UTF8.self)
        let parsed = try PipelineConfig.parse(config)
        #expect(parsed.execution.maxWorkers == 1024 && parsed.validation.memoryMB == 1 << 20, "\(config)")
        try config.write(to: folder.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        try """
        plan: extremes
        language: python
        atoms:
          - id: double
            name: double
            description: Doubles n.
            file: maths.py
            tests: assert double(2) == 4
        """.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
        try await server.script([["reply": "```python\ndef double(n):\n    return n * 2\n```"]])
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)\n\(config)")
    }
}
