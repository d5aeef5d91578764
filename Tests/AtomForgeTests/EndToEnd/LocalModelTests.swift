import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// The embedded default end to end: `atomforge run` starts llama-server with the local code model, a real model writes
/// the code, real validators judge it, and the server is stopped at the end. Asserts only what holds whatever the
/// model writes. Needs `scripts/setup-local-model` (which `.ci/run` runs).
@Suite("local model end to end", .serialized)
struct LocalModelTests {
    static let server = RepositoryFiles.path(".local/bin/llama-server")
    static let model = RepositoryFiles.path(".local/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")

    let folder: String
    let port: Int

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.server),
            FileManager.default.fileExists(atPath: Self.model)
        else {
            throw LocalModelMissing()
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("local-model-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        port = try ServerProcess.freePort()
    }

    struct LocalModelMissing: Error, CustomStringConvertible {
        var description: String { "the local model is not installed: run scripts/setup-local-model" }
    }

    func writeConfig(kind: ProviderKind) throws {
        let baseURL = kind == .openai ? "http://127.0.0.1:\(port)/v1" : "http://127.0.0.1:\(port)"
        try """
        provider:
          kind: \(kind.rawValue)
          base_url: \(baseURL)
          model: qwen2.5-coder-0.5b-instruct
          api_key_env: null
          max_tokens: 400
          timeout_s: 120
        generation:
          max_attempts: 3
          temperatures: [0.0, 0.3]
        execution:
          max_workers: 1
        server:
          command: \(Self.server)
          arguments: ["-m", "\(Self.model)", "--host", "127.0.0.1", "--port", "{port}", "-c", "4096", "-np", "1", "--seed", "42"]
          port: \(port)
          required_files: ["\(Self.model)"]
          startup_timeout_s: 120
        """.write(toFile: folder + "/pipeline.yaml", atomically: true, encoding: .utf8)
        try """
        plan: local-e2e
        language: python
        atoms:
          - id: add
            name: add
            description: "add(a: int, b: int) -> int: return the sum of a and b."
            file: calc/basic.py
            estimated_loc: 2
            tests: |
              assert add(2, 3) == 5
          - id: double
            name: double
            description: "double(x: int) -> int: return add(x, x), using the add function."
            file: calc/basic.py
            estimated_loc: 2
            depends_on: [add]
            tests: |
              assert double(4) == 8
          - id: is_even
            name: is_even
            description: "is_even(n: int) -> bool: True when n is divisible by 2."
            file: calc/checks.py
            estimated_loc: 2
            tests: |
              assert is_even(4) and not is_even(3)
        """.write(toFile: folder + "/plan.yaml", atomically: true, encoding: .utf8)
    }

    @Test(
        "a real model generates a plan through each API, and the server is stopped afterwards",
        arguments: [ProviderKind.openai, .anthropic])
    func generate(kind: ProviderKind) async throws {
        try writeConfig(kind: kind)
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml", "--config", "pipeline.yaml"], in: folder)
        #expect([0, 1].contains(outcome.status), "\(outcome.standardOutput)\n\(outcome.standardError)")
        let summaryData = try Data(contentsOf: URL(fileURLWithPath: folder + "/outbox/local-e2e/summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: summaryData) as? [String: Any])
        let atoms = try #require(summary["atoms"] as? [[String: Any]])
        #expect(atoms.count == 3)
        for atom in atoms {
            let id = try #require(atom["id"] as? String)
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/outbox/local-e2e/atoms/\(id)/report.json"))
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let status = try #require(report["status"] as? String)
            #expect(["passed", "failed", "blocked"].contains(status))
            let attempts = report["attempts"] as? [[String: Any]] ?? []
            #expect(attempts.count <= 3)
            #expect(status == "blocked" ? attempts.isEmpty : !attempts.isEmpty)
            for attempt in attempts {
                let tokens = try #require(attempt["tokens"] as? [String: Int])
                #expect(tokens["input"]! > 0 && tokens["output"]! > 0, "token usage is real")
                if attempt["passed"] as? Bool == false {
                    let issues = attempt["issues"] as? [[String: Any]] ?? []
                    #expect(
                        issues.contains { ($0["message"] as? String)?.isEmpty == false }, "a failed attempt says why")
                }
            }
        }
        let log = (try? String(contentsOfFile: folder + "/outbox/_server/model-server.log", encoding: .utf8)) ?? ""
        #expect(!log.isEmpty, "the server's log is kept in the outbox")
        let stillListening = await LocalServerProbe.isListening(port: port)
        #expect(!stillListening, "the server was stopped at the end")
    }
}

extension LocalModelTests {
    @Test("the class example runs on the embedded default to a src/ tree that imports, with a report per method")
    func classExample() async throws {
        try writeConfig(kind: .openai)
        // One attempt an atom keeps the run short; what is asserted holds whatever the model writes.
        let config = try String(contentsOfFile: folder + "/pipeline.yaml", encoding: .utf8)
            .replacingOccurrences(of: "  max_attempts: 3\n  temperatures: [0.0, 0.3]", with: "  max_attempts: 1")
        try config.write(toFile: folder + "/pipeline.yaml", atomically: true, encoding: .utf8)
        let outcome = try await CommandRunner.atomforge(
            ["run", RepositoryFiles.path("examples/plans/library.yaml"), "--config", "pipeline.yaml"], in: folder)
        #expect([0, 1].contains(outcome.status), "\(outcome.standardOutput)\n\(outcome.standardError)")
        var kinds: [String: Int] = [:]
        for id in [
            "book", "book_available", "book_lend", "book_give_back", "book_label", "member", "member_can_borrow",
            "member_borrow", "member_return_book", "member_holds", "catalogue", "catalogue_add", "catalogue_find",
            "catalogue_by_author", "catalogue_lend",
        ] {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/outbox/library/atoms/\(id)/report.json"))
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            kinds[report["kind"] as? String ?? "?", default: 0] += 1
            if id == "book" {
                #expect(report["status"] as? String == "passed" && report["written_by"] as? String == "plan")
            }
        }
        #expect(kinds == ["class": 3, "method": 12])
        // Every file imports as it is: methods that failed stand in as stubs that raise.
        for module in ["library.book", "library.member", "library.catalogue"] {
            let check = try await CommandRunner.run(
                URL(fileURLWithPath: "/usr/bin/python3"), ["-c", "import \(module)"],
                in: folder + "/outbox/library/src")
            #expect(check.status == 0, "\(module): \(check.standardError)")
        }
        let book = try String(contentsOfFile: folder + "/outbox/library/src/library/book.py", encoding: .utf8)
        for method in ["available", "lend", "give_back", "label"] {
            #expect(book.contains("    def \(method)(self"), "\(method) is in its class: \(book)")
        }
    }
}

/// Whether anything still answers on a port.
enum LocalServerProbe {
    static func isListening(port: Int) async -> Bool {
        let probe = HTTPRequest(
            url: "http://127.0.0.1:\(port)/health", timeout: .seconds(2), connectTimeout: .seconds(1))
        return (try? await CurlTransport().send(probe)) != nil
    }
}
