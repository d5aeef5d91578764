import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// The deployment files a person applies as they are: every manifest in `contrib/kubernetes/` against the
/// Kubernetes schemas (`kubernetes-validate`, strict, the oldest and newest versions they are for), the compose file
/// against the Compose Specification (`check-jsonschema`), and the `pipeline.yaml` each carries through AtomForge's
/// own loader.
@Suite("deployment manifests")
struct DeploymentManifestTests {
    static let root = RepositoryFiles.root
    static let kubernetes = "contrib/kubernetes"

    static func venv(_ tool: String, _ arguments: [String], in folder: String) async throws -> CommandRunner.Outcome {
        try await CommandRunner.run(root.appendingPathComponent(".venv/bin/" + tool), arguments, in: folder)
    }

    /// The resources the kustomization lists.
    static func resources() throws -> [String] {
        let text = try String(
            contentsOf: root.appendingPathComponent(kubernetes + "/kustomization.yaml"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- ") && trimmed.hasSuffix(".yaml") ? String(trimmed.dropFirst(2)) : nil
        }
    }

    @Test("every Kubernetes manifest is listed in the kustomization and valid for Kubernetes 1.30 and 1.37")
    func kubernetesManifests() async throws {
        let listed = try Self.resources()
        let present = try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appendingPathComponent(Self.kubernetes).path
        ).filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }
        let examples = present.filter { $0.hasSuffix(".example.yaml") }
        #expect(examples == ["keys-secret.example.yaml"])
        #expect(Set(listed) == Set(present).subtracting(examples), "the kustomization applies every manifest")
        let folder = Self.root.appendingPathComponent(Self.kubernetes).path
        for version in ["1.30.0", "1.37.0"] {
            let outcome = try await Self.venv(
                "kubernetes-validate", ["--strict", "-k", version] + (listed + examples).sorted(), in: folder)
            #expect(outcome.status == 0, "\(version): \(outcome.standardOutput)\(outcome.standardError)")
            let passed = outcome.standardOutput.components(separatedBy: " passed for resource").count - 1
            #expect(passed == listed.count + examples.count)
        }
        let kinds = try listed.map {
            try String(contentsOfFile: folder + "/" + $0, encoding: .utf8).split(separator: "\n")
                .first { $0.hasPrefix("kind: ") }.map { String($0.dropFirst(6)) } ?? ""
        }
        #expect(Set(kinds) == ["Deployment", "Service", "ConfigMap", "PersistentVolumeClaim"])
        let secret = try String(contentsOfFile: folder + "/keys-secret.example.yaml", encoding: .utf8)
        #expect(secret.contains("kind: Secret") && secret.contains("name: atomforge-keys"))
    }

    @Test("the validators refuse a broken manifest and a broken compose file (the checks above can fail)")
    func validatorsRefuse() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("manifests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let deployment = try String(
            contentsOf: Self.root.appendingPathComponent(Self.kubernetes + "/atomforge-deployment.yaml"),
            encoding: .utf8)
        try deployment.replacingOccurrences(of: "replicas: 3", with: "replicas: three")
            .write(to: scratch.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let kubernetes = try await Self.venv("kubernetes-validate", ["--strict", "broken.yaml"], in: scratch.path)
        #expect(kubernetes.status != 0)
        let compose = try String(
            contentsOf: Self.root.appendingPathComponent("contrib/compose/compose.yaml"), encoding: .utf8)
        try compose.replacingOccurrences(of: "stop_grace_period: 45s", with: "stop_grace: 45s")
            .write(to: scratch.appendingPathComponent("compose.yaml"), atomically: true, encoding: .utf8)
        let refused = try await Self.venv(
            "check-jsonschema", ["--builtin-schema", "vendor.compose-spec", "compose.yaml"], in: scratch.path)
        #expect(refused.status != 0)
    }

    @Test("the compose file is valid under the Compose Specification")
    func composeFile() async throws {
        let outcome = try await Self.venv(
            "check-jsonschema", ["--builtin-schema", "vendor.compose-spec", "compose.yaml"],
            in: Self.root.appendingPathComponent("contrib/compose").path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
    }

    @Test("the pipeline.yaml of the ConfigMap and of compose load in AtomForge, with the probes' subcommand")
    func pipelines() async throws {
        let configMap = try String(
            contentsOf: Self.root.appendingPathComponent(Self.kubernetes + "/pipeline-configmap.yaml"),
            encoding: .utf8)
        // The block under `pipeline.yaml: |`, dedented.
        let lines = configMap.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasSuffix("pipeline.yaml: |") })
        let embedded = lines[(start + 1)...].map { $0.hasPrefix("    ") ? String($0.dropFirst(4)) : $0 }
            .joined(separator: "\n")
        let fromConfigMap = try PipelineConfig.parse(embedded)
        #expect(
            fromConfigMap.provider.apiKeyEnvironmentVariable == "VLLM_API_KEY"
                && fromConfigMap.paths.outbox.hasPrefix("/"))
        let fromCompose = try PipelineConfig.load(
            fromFile: Self.root.appendingPathComponent("contrib/compose/pipeline.yaml").path)
        #expect(fromCompose.provider.baseURL == "http://vllm:8000/v1")
        let deployment = try String(
            contentsOf: Self.root.appendingPathComponent(Self.kubernetes + "/atomforge-deployment.yaml"),
            encoding: .utf8)
        #expect(deployment.contains("command: [atomforge, health, --config, /etc/atomforge/pipeline.yaml]"))
        let help = try await CommandRunner.atomforge(["health", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("--live"))
    }
}
