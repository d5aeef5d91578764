import Foundation
import Glibc

/// The service manager's notification socket (sd_notify(3)): how a `Type=notify` unit says it is ready, what it is
/// doing, that it is alive, and that it is stopping.
///
/// The protocol is a datagram of `KEY=value` lines to the `AF_UNIX` socket named by `NOTIFY_SOCKET` (a path, or an
/// abstract name written with a leading `@`). libsystemd's `sd_notify` does just this; linking libsystemd for one
/// `sendto` is not worth the dependency. Sends never block: a manager that does not read loses a status line, never
/// holds up a thread.
public struct SystemdNotifier: Sendable {
    /// The socket's address as `NOTIFY_SOCKET` gives it.
    public let socketPath: String
    /// How often to say `WATCHDOG=1`: half the manager's `WatchdogSec`, when it set one for this process.
    public let watchdogInterval: Duration?

    /// The notifier of this process's service manager; nil when it was not started by one that listens.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let path = environment["NOTIFY_SOCKET"], path.hasPrefix("/") || path.hasPrefix("@"),
            path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        else { return nil }
        socketPath = path
        let forThisProcess = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if forThisProcess, let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 {
            watchdogInterval = .microseconds(Int64(usec / 2))
        } else {
            watchdogInterval = nil
        }
    }

    /// `READY=1`: the inbox is watched and the model server answers.
    public func ready(status: String) {
        send("READY=1\nSTATUS=" + status)
    }

    public func status(_ text: String) {
        send("STATUS=" + text)
    }

    public func watchdog() {
        send("WATCHDOG=1")
    }

    public func stopping(status: String) {
        send("STOPPING=1\nSTATUS=" + status)
    }

    /// Sends one datagram; false when it could not be sent (no listener, a full queue).
    @discardableResult
    public func send(_ message: String) -> Bool {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let name = Array(socketPath.utf8)
        // An abstract name starts with a zero byte where the `@` was, and its length counts exactly.
        let bytes = socketPath.hasPrefix("@") ? [0] + name.dropFirst() : name
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in bytes.enumerated() { path[index] = byte }
        }
        let length =
            MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (socketPath.hasPrefix("@") ? 0 : 1)
        let payload = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(
                    descriptor, payload, payload.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), socketAddress,
                    socklen_t(length))
            }
        }
        return sent == payload.count
    }
}
