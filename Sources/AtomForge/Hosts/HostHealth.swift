import AtomForgeSystem
import Foundation

/// Whether the daemon of this host is alive and taking plans, from its ``HostStatus`` file: what `atomforge health`
/// answers an orchestrator's probe with.
public struct HostHealth: Sendable, Equatable {
    /// True when the probe passes.
    public var passes: Bool
    /// One line saying why, for the probe's output.
    public var message: String

    /// A file older than this many of its intervals is stale: its daemon hangs or is gone.
    public static let staleAfterIntervals = 3.0

    /// The health of the daemon of `host` in `outbox`. `ready`: it must be watching the inbox (a readiness probe);
    /// otherwise a fresh file in any state passes (a liveness probe: a daemon still starting or stopping is alive).
    public static func check(
        outbox: String, host: String = HostStatus.hostName(), ready: Bool, now: Double = Date().timeIntervalSince1970
    ) -> HostHealth {
        let records = HostStatus.records(outbox: outbox, host: host)
        guard !records.isEmpty else {
            return HostHealth(
                passes: false,
                message: "no daemon of host \(host) in \(outbox)/\(HostStatus.folderName): atomforge watch is not "
                    + "running here, or has another outbox")
        }
        let alive = records.filter { ProcessLiveness.isAlive($0.pid) }
        guard let record = alive.first else {
            return HostHealth(
                passes: false,
                message: "the daemon of \(host) (pid \(records[0].pid)) is gone; its status file was left behind")
        }
        let age = now - record.updated
        let limit = record.intervalSeconds * staleAfterIntervals
        if age > limit {
            return HostHealth(
                passes: false,
                message: "the daemon \(record.pid) last said it was \(record.state.rawValue) \(Int(age)) s ago "
                    + "(it writes every \(Int(record.intervalSeconds)) s): it hangs")
        }
        let doing =
            record.state == .watching
            ? "watching \(record.inbox)" + (record.watch.map { " (\($0))" } ?? "")
            : record.state.rawValue
        if ready && record.state != .watching {
            return HostHealth(passes: false, message: "the daemon \(record.pid) is \(doing), not taking plans")
        }
        return HostHealth(passes: true, message: "the daemon \(record.pid) is \(doing)")
    }
}
