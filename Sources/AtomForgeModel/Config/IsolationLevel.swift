/// How generated code is contained when the validators run it (`validation.isolation`); docs/sandbox.md's table says
/// what each level protects. A config type, so that reading `pipeline.yaml` needs nothing of the sandbox itself.
public enum IsolationLevel: String, Sendable, CaseIterable, Equatable {
    /// The strongest level this machine can run, probed at start.
    case auto
    /// No network, a minimal read-only root, a private scratch tmpfs, limits.
    case bubblewrap
    /// No network, limits; the host's files as AtomForge's user sees them.
    case unshare
    /// Limits only.
    case none
}
