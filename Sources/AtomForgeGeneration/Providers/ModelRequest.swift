/// What AtomForge asks a model: a system prompt, a conversation, and how long and how random the answer may be.
public struct ModelRequest: Sendable, Equatable {
    public struct Message: Sendable, Equatable {
        public enum Role: String, Sendable {
            case user
            case assistant
        }

        public var role: Role
        public var text: String

        public init(_ role: Role, _ text: String) {
            self.role = role
            self.text = text
        }
    }

    public var system: String?
    public var messages: [Message]
    public var maxTokens: Int
    /// Sent only when the provider's `sampling` setting allows it.
    public var temperature: Double?
    /// The sampling seed, for APIs that take one (OpenAI-compatible servers: llama.cpp, vLLM). With a fixed seed a
    /// server answers the same prompt at the same temperature with the same text, so independent samples need
    /// seeds of their own.
    public var seed: Int?
    /// The start of the reply, sent as a trailing assistant message the server continues (``ModelReply/text`` is
    /// what follows it); nil for none.
    public var prefill: String?
    /// Texts that end the reply when the model writes them; they are not part of the reply.
    public var stop: [String] = []
    /// How many characters at the start of the last user message stay the same across the atom's attempts and
    /// candidates (everything before the feedback): the part a provider's prompt cache can serve; nil for none.
    public var cacheablePrefix: Int?

    public init(
        system: String? = nil, messages: [Message], maxTokens: Int, temperature: Double? = nil, seed: Int? = nil
    ) {
        self.system = system
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.seed = seed
    }

    /// A one-message request.
    public init(
        system: String? = nil, prompt: String, maxTokens: Int, temperature: Double? = nil, seed: Int? = nil
    ) {
        self.init(
            system: system, messages: [Message(.user, prompt)], maxTokens: maxTokens, temperature: temperature,
            seed: seed)
    }
}
