import CSystemShims
import Foundation
import Glibc
import Synchronization
import SystemPackage

/// A long-lived child process started with `posix_spawn`, in a process group of its own, with a clean signal state:
/// the model server, which ``LocalServer`` starts in `start()`, watches in `run()` and stops in `stop()`.
///
/// Runs that end by themselves (validators, the unit extraction) go through ``BoundedRun`` on swift-subprocess.
/// This stays for the server because swift-subprocess ties a child's life to the scope of one `run` call, and the
/// server's life spans three calls of a service (it is started before the engine exists, so that a port in use or
/// a missing model is reported before any plan is taken). Foundation's `Process` is no alternative: it hands the
/// child the spawning thread's signal mask, and threads of the Swift runtime block most signals, so a server
/// started that way ignores SIGTERM. This starts the child with an empty mask and default handlers, puts it in its
/// own process group (so a signal reaches everything it forked), and checks on it with `waitpid(WNOHANG)`: the
/// server's watcher looks every 200 ms, and no thread is ever blocked.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let status = Mutex<Int32?>(nil)

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// Where a child's standard output and error go.
    public enum Output: Sendable {
        /// Discarded.
        case null
        /// Appended to the file at this path (created if missing).
        case file(String)
    }

    /// Starts `executable` (a path, or a name looked up in `PATH`) with `arguments`.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String],
        workingDirectory: String? = nil, output: Output = .null
    ) throws(ChildProcessError) -> ChildProcess {
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        switch output {
        case .null:
            posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&fileActions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        if let workingDirectory {
            posix_spawn_file_actions_addchdir_np(&fileActions, workingDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawn = executable.contains("/") ? posix_spawn : posix_spawnp
        let result = spawn(&pid, executable, &fileActions, &attributes, argv, envp)
        guard result == 0 else {
            throw ChildProcessError(executable: executable, reason: Errno(rawValue: result).description)
        }
        return ChildProcess(pid: pid)
    }

    /// Sends `signal` to the child's whole process group.
    public func signal(_ signal: Int32) {
        guard status.withLock({ $0 }) == nil else { return }
        kill(-pid, signal)
    }

    /// The raw wait status once the child has exited, nil while it runs. Reaps it.
    public func poll() -> Int32? {
        status.withLock { status in
            if status != nil { return status }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid { status = raw }
            if result < 0 && errno == ECHILD { status = -1 }
            return status
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// Waits for the child on the calling thread; returns its exit code. Only for the probes of ``Sandbox/best``,
    /// which last milliseconds and run once, as a command sets up its engine, before any plan is taken.
    func waitBlocking() -> Int32 {
        status.withLock { status in
            if status == nil {
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) < 0 {
                    guard errno == EINTR else {
                        status = -1
                        return Self.exitCode(-1)
                    }
                }
                status = raw
            }
            return Self.exitCode(status ?? -1)
        }
    }

    /// Waits until the child exits; returns its exit code (128 + signal when a signal ended it).
    @discardableResult
    public func wait() async -> Int32 {
        while true {
            if let raw = poll() { return Self.exitCode(raw) }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Asks the child to stop with SIGTERM, and kills its group when it has not stopped within `grace`.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32 {
        signal(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if let raw = poll() {
                kill(-pid, SIGKILL)  // anything it forked and left behind
                return Self.exitCode(raw)
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        signal(SIGKILL)
        return await wait()
    }

    static func exitCode(_ raw: Int32) -> Int32 {
        if raw < 0 { return -1 }
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}

/// A child process that could not be started.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public var executable: String
    public var reason: String

    public var description: String { "cannot start \(executable): \(reason)" }
}
