import AtomForgeGeneration
import AtomForgeModel
import AtomForgeSystem
import Foundation
import Logging
import Synchronization

/// The first request AtomForge would send for an atom, without sending it: `atomforge prompt`. It is built by the
/// ladder's own code (``AtomGenerator/firstRequest(for:context:)``) and encoded by the provider's own code, then
/// caught before the transport sends it; so what it shows is what a run sends, byte for byte, but the key.
public enum RequestPreview {
    public struct Preview: Sendable {
        /// The URL the request goes to.
        public var url: String
        /// The HTTP body, as sent.
        public var body: String
        public var system: String?
        public var prompt: String
        public var model: String
        /// The atom's dependencies whose code the request would carry but that have none yet (not passed in the
        /// run given, or no run given).
        public var missingDependencies: [String]
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The first request for atom `id` of `plan` under `config`; `passed`: the code of the atoms that passed (a run
    /// folder's), which the request shows of the atom's dependencies.
    public static func first(
        for id: String, of plan: Plan, passed: [String: String], config: PipelineConfig
    ) async throws(Failure) -> Preview {
        guard let index = plan.atoms.firstIndex(where: { $0.id == id }) else {
            throw Failure(description: plan.unknownAtom(id))
        }
        let atom = plan.atoms[index]
        guard atom.providedCode == nil else {
            throw Failure(description: "atom \(id) is code the plan provides: no model is asked for it")
        }
        let catcher = CatchingTransport()
        let logger = Logger(label: "atomforge.prompt", factory: { _ in SwiftLogNoOpLogHandler() })
        // No key is needed to build a request: a stand-in fills the variable the config names.
        func client(_ settings: ProviderSettings) throws(Failure) -> ModelClient {
            var environment: [String: String] = [:]
            if let variable = settings.apiKeyEnvironmentVariable { environment[variable] = "preview" }
            do {
                return try ModelClient.make(
                    settings: settings, rateLimiter: RateLimiter(), transport: catcher, environment: environment,
                    logger: logger)
            } catch {
                throw Failure(description: error.description)
            }
        }
        var escalation: ModelClient?
        if let settings = config.escalation { escalation = try client(settings.provider) }
        let generator = AtomGenerator(
            services: GeneratorServices(
                client: try client(config.provider), escalation: escalation, validators: .standard(config.validation),
                validationSlots: AsyncSemaphore(permits: 1), logger: logger),
            plan: PlanGeneration(
                generation: config.generation, maxTokensCeiling: config.provider.maxTokens,
                escalationMaxTokensCeiling: config.escalation?.provider.maxTokens, budget: TokenBudget(limit: 0)))
        let graph = DependencyGraph(plan.atoms)
        let known = passed.filter { code in plan.atoms.contains { $0.id == code.key } }
        let context = await PassedCode(known, atoms: plan.atoms, graph: graph).context(for: index)
        guard let (request, model) = generator.firstRequest(for: atom, context: context) else {
            throw Failure(description: "the ladder (generation.ladder) has no step")
        }
        _ = try? await model.provider.send(request)
        guard let sent = catcher.caught else {
            throw Failure(description: "the provider made no request of \(atom.id)")
        }
        let missing = atom.dependsOn.filter { known[$0] == nil }
        return Preview(
            url: sent.url, body: String(decoding: sent.body, as: UTF8.self), system: request.system,
            prompt: request.messages.map(\.text).joined(separator: "\n\n"), model: model.provider.model,
            missingDependencies: missing)
    }
}

/// A transport that keeps the request it is given and sends nothing.
private final class CatchingTransport: HTTPTransport {
    private let request = Mutex<HTTPRequest?>(nil)

    var caught: HTTPRequest? { request.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        self.request.withLock { $0 = request }
        throw HTTPError(.cancelled, "caught for the preview; not sent")
    }
}
