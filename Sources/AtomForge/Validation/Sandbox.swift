import Foundation
import Glibc

/// How generated code is contained when a validator runs it: a child process in a scratch folder, with resource
/// limits, no network, and no writes outside the scratch folder where the machine allows it.
///
/// - `bubblewrap`: `bwrap` with a read-only view of the file system, a private `/tmp`, the scratch folder the only
///   writable place, new network (no interfaces but a down loopback), PID and IPC namespaces; everything in it dies
///   with the run.
/// - `unshare`: `unshare` with new network and PID namespaces (root only); the file system is not isolated.
/// - `none`: limits and the timeout only.
///
/// In every mode the program gets `prlimit` limits (CPU seconds, data size, file size, open files, processes) and,
/// when AtomForge runs as root, an unprivileged user id of its own (`setpriv`), since the kernel does not apply the
/// process limit to root and counts it per user: each run gets a fresh id, so concurrent runs (and their threads)
/// do not share one count. The environment never holds more than `PATH`, `HOME`, `TMPDIR` and `LANG`.
public struct Sandbox: Sendable, Equatable {
    public enum Isolation: String, Sendable, CaseIterable, Equatable {
        case auto, bubblewrap, unshare, none
    }

    public var isolation: Isolation
    public var memoryBytes: Int
    public var maxProcesses: Int
    public var maxFileBytes: Int
    /// CPU seconds; the wall-clock timeout is the runner's.
    public var cpuSeconds: Int

    public init(
        isolation: Isolation, memoryBytes: Int = 2 << 30, maxProcesses: Int = 256, maxFileBytes: Int = 64 << 20,
        cpuSeconds: Int = 60
    ) {
        self.isolation = isolation == .auto ? Self.best : isolation
        self.memoryBytes = memoryBytes
        self.maxProcesses = maxProcesses
        self.maxFileBytes = maxFileBytes
        self.cpuSeconds = cpuSeconds
    }

    /// The strongest isolation that works on this machine, probed once.
    public static let best: Isolation = {
        if Toolchain.find("bwrap") != nil,
            probe(["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--", "true"])
        {
            return .bubblewrap
        }
        if getuid() == 0, Toolchain.find("unshare") != nil, probe(["unshare", "--net", "--pid", "--fork", "true"]) {
            return .unshare
        }
        return .none
    }()

    private static func probe(_ command: [String]) -> Bool {
        guard
            let child = try? ChildProcess.spawn(
                command[0], Array(command.dropFirst()), environment: ["PATH": "/usr/bin:/bin"])
        else {
            return false
        }
        while child.isRunning { usleep(2000) }
        return child.poll().map(ChildProcess.exitCode) == 0
    }

    /// What a report says about the containment in force.
    public var description: String {
        let user = getuid() == 0 && Toolchain.find("setpriv") != nil ? ", as an unprivileged user" : ""
        let limits = "limits: \(memoryBytes >> 20) MiB data, \(maxProcesses) processes, \(cpuSeconds) s CPU\(user)"
        switch isolation {
        case .bubblewrap: return "bubblewrap: no network, read-only file system but the scratch folder; \(limits)"
        case .unshare: return "unshare: no network, own PID namespace, file system not isolated; \(limits)"
        case .none, .auto: return "none: no namespace isolation available; \(limits)"
        }
    }

    /// The command line that runs `command` inside the sandbox, in `scratch`.
    func wrap(_ command: [String], scratch: String, environment: [String: String]) -> [String] {
        var limited = [
            "prlimit", "--data=\(memoryBytes)", "--fsize=\(maxFileBytes)", "--nofile=256", "--cpu=\(cpuSeconds)",
            "--core=0",
        ]
        if getuid() == 0 {
            limited.append("--nproc=\(maxProcesses)")
            if Toolchain.find("setpriv") != nil {
                let user = Int.random(in: 200_000..<1_200_000)
                limited = ["setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups"] + limited
            }
        }
        limited += ["--"] + command
        switch isolation {
        case .bubblewrap:
            var wrapped = [
                "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                "--bind", scratch, scratch, "--chdir", scratch, "--unshare-net", "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--die-with-parent", "--new-session", "--clearenv",
            ]
            for (name, value) in environment.sorted(by: { $0.key < $1.key }) { wrapped += ["--setenv", name, value] }
            return wrapped + ["--"] + limited
        case .unshare:
            return ["unshare", "--net", "--pid", "--fork", "--kill-child", "--"] + limited
        case .none, .auto:
            return limited
        }
    }
}
