import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// Anthropic's prompt cache through `atomforge run` and the scripted server: the stable start of a long prompt is
/// marked `cache_control` in every attempt of an atom (the same text each time), a short one is not, the cached
/// tokens the API reports are recorded, and the cost prices them as Anthropic does.
@Suite("prompt cache", .serialized)
struct PromptCacheTests {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func config(cache: Bool = true) throws {
        try """
        provider:
          kind: anthropic
          base_url: \(server.baseURL)
          model: claude-test
          api_key_env: null
          max_retries: 1
          prompt_cache: \(cache)
          input_price_per_million: 3
          output_price_per_million: 15
        generation:
          max_attempts: 2
          ladder:
            - {kind: sample, temperature: 0.2}
            - {kind: repair, temperature: 0.8, repair_on: [assertion]}
        """.write(to: folder.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
    }

    /// A plan whose atom's description is long enough to be cached (about 1,500 tokens) and a short one.
    func plan() throws {
        let long = String(repeating: "Every word of this long specification matters to the function. ", count: 100)
        try """
        plan: cached
        language: python
        atoms:
          - {id: big, name: big, description: "\(long)", file: big.py, tests: "assert big() == 2"}
          - {id: small, name: small, description: "returns 3", file: small.py, tests: "assert small() == 3"}
        """.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
    }

    func userContent(_ request: ReceivedRequest) -> Any? {
        let messages = request.body["messages"] as? [[String: Any]] ?? []
        return messages.last { $0["role"] as? String == "user" }?["content"]
    }

    @Test("a long prompt's stable start is marked in every attempt, a short one is not, cached tokens are recorded")
    func marked() async throws {
        try config()
        try plan()
        try await server.script(
            [
                ["reply": "```python\ndef big():\n    return 1\n```", "cache_write": 1500, "input_tokens": 40],
                ["reply": "```python\ndef big():\n    return 2\n```", "cache_read": 1500, "input_tokens": 90],
            ], match: "defines `big`")
        try await server.script([["reply": "```python\ndef small():\n    return 3\n```"]], match: "defines `small`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")

        let big = try await server.requests().filter { $0.lastUserText.contains("defines `big`") }
        #expect(big.count == 2)
        var prefixes: [String] = []
        for request in big {
            let blocks = try #require(userContent(request) as? [[String: Any]], "the user message is in blocks")
            #expect(blocks.count == 2)
            #expect((blocks[0]["cache_control"] as? [String: String]) == ["type": "ephemeral"])
            #expect(blocks[1]["cache_control"] == nil)
            prefixes.append(blocks[0]["text"] as? String ?? "")
        }
        #expect(prefixes[0] == prefixes[1], "the cached part is the same text in both attempts")
        #expect(prefixes[0].contains("assert big() == 2") && !prefixes[0].contains("Attempt 1 was"))
        #expect((big[1].lastUserText).contains("Attempt 1 was"), "the feedback follows the cached part")
        let small = try #require(try await server.requests().first { $0.lastUserText.contains("defines `small`") })
        #expect(userContent(small) is String, "a prompt too short to cache is sent as it was")

        let summary = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("outbox/cached/summary.json"))) as? [String: Any])
        let tokens = try #require(summary["tokens"] as? [String: Int])
        #expect(tokens["cache_read"] == 1500 && tokens["cache_write"] == 1500, "\(tokens)")
        // 3 $/M input: uncached input, reads at 0.1×, writes at 1.25×; 15 $/M output.
        let input = Double(tokens["input"] ?? 0)
        let expected = (3 * (input + 150 + 1875) + 15 * Double(tokens["output"] ?? 0)) / 1e6
        #expect(abs((summary["cost_usd"] as? Double ?? 0) - expected) < 0.0001, "\(summary["cost_usd"] ?? "none")")
        #expect(summary["cost_prices"] as? String == "configured")
    }

    @Test("provider.prompt_cache: false sends the prompt as plain text")
    func off() async throws {
        try config(cache: false)
        try plan()
        try await server.script([["reply": "```python\ndef big():\n    return 2\n```"]], match: "defines `big`")
        try await server.script([["reply": "```python\ndef small():\n    return 3\n```"]], match: "defines `small`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        #expect(try await server.requests().allSatisfy { userContent($0) is String })
    }
}
