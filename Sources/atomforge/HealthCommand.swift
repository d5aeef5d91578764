import ArgumentParser
import AtomForge
import Foundation

/// `atomforge health`: whether the daemon on this host is alive and taking plans, for an orchestrator's probe.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Say whether the daemon on this host is watching the inbox (a probe for Kubernetes or compose).",
        discussion: """
            Reads the status file that atomforge watch keeps in outbox/_hosts/<host>-<pid>.json (rewritten every \
            10 s, removed when it stops). Passes when a daemon of this host is running and wrote it within the last \
            30 s, and (unless --live) is watching the inbox rather than starting or stopping.

            Examples:
              atomforge health --config pipeline.yaml          (readiness: taking plans)
              atomforge health --config pipeline.yaml --live   (liveness: running, not hung)

            Exit codes: 0 when the probe passes, 1 when it does not, 2 when the config is invalid.
            """
    )

    @Option(help: "The pipeline settings file the daemon runs with.")
    var config = "pipeline.yaml"

    @Flag(help: "Pass for a daemon still starting or already stopping, as long as it is not hung.")
    var live = false

    func run() throws {
        guard let settings = loadConfig(config) else { throw ExitCode(2) }
        let health = HostHealth.check(outbox: settings.outboxPath, ready: !live)
        if health.passes {
            print("healthy: \(health.message)")
        } else {
            printError("unhealthy: \(health.message)")
            throw ExitCode(1)
        }
    }
}
