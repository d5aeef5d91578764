import AtomForgeModel
import AtomForgeSystem
import Foundation
import SystemPackage

/// How generated code is contained when a validator runs it: a child process in a scratch folder, with resource
/// limits, no network, and no writes outside the scratch folder where the machine allows it.
///
/// - `bubblewrap`: `bwrap` with a minimal read-only root (``minimalRoot``: `/usr`, the few `/etc` entries programs
///   read, and the toolchains' own folders — never the outbox, the inbox, the config, `/home`, `/root`, `/run` or
///   `/var`, so no host socket and no other plan's files), a private `/tmp`, the scratch folder a size-limited
///   tmpfs (the only writable place; its files are copied in at the start), new network (no interface but its own
///   loopback), PID and IPC namespaces; everything in it dies with the run.
/// - `unshare`: `unshare` with new network and PID namespaces (root only); the file system is not isolated.
/// - `none`: limits and the timeout only.
///
/// In every mode the program gets `prlimit` limits (CPU seconds, data size, file size, open files, processes) and,
/// when AtomForge runs as root, an unprivileged user id of its own (`setpriv`), since the kernel does not apply the
/// process limit to root and counts it per user: each run gets a fresh id, so concurrent runs (and their threads)
/// do not share one count. The environment never holds more than `PATH`, `HOME`, `TMPDIR` and `LANG`.
public struct Sandbox: Sendable, Equatable {
    /// The level the config names (`validation.isolation`).
    public typealias Isolation = IsolationLevel

    public var isolation: Isolation
    public var memoryBytes: Int
    public var maxProcesses: Int
    public var maxFileBytes: Int
    /// CPU seconds; the wall-clock timeout is the runner's.
    public var cpuSeconds: Int
    /// What the program may write in its scratch folder, in all (bubblewrap: the tmpfs's size).
    public var scratchBytes: Int
    /// The niceness the sandbox and all it runs get: below the model server's, so that the server keeps its share
    /// of the CPU when validators fill the machine.
    public var niceness: Int

    public init(
        isolation: Isolation, memoryBytes: Int = 2 << 30, maxProcesses: Int = 256, maxFileBytes: Int = 64 << 20,
        cpuSeconds: Int = 60, scratchBytes: Int = 256 << 20, niceness: Int = 10
    ) {
        self.scratchBytes = scratchBytes
        self.niceness = niceness
        self.isolation = isolation == .auto ? Self.best : isolation
        self.memoryBytes = memoryBytes
        self.maxProcesses = maxProcesses
        self.maxFileBytes = maxFileBytes
        self.cpuSeconds = cpuSeconds
    }

    /// The strongest isolation that works on this machine, probed once.
    public static let best: Isolation = {
        if Toolchain.find("bwrap") != nil,
            // With the options `wrap` uses (`--size` and `--perms` need bubblewrap 0.8, and a setuid bwrap refuses
            // them): a bwrap that cannot run them is no bubblewrap for AtomForge.
            QuickCommand.exitsZero([
                "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--size", "1048576", "--tmpfs", "/tmp",
                "--perms", "0711", "--dir", "/tmp/probe", "--remount-ro", "/dev", "--unshare-net", "--unshare-pid",
                "--", "true",
            ])
        {
            return .bubblewrap
        }
        if CurrentProcess.isRoot, Toolchain.find("unshare") != nil,
            QuickCommand.exitsZero(["unshare", "--net", "--pid", "--fork", "true"])
        {
            return .unshare
        }
        return .none
    }()

    /// Where, inside the bubblewrap sandbox, the scratch folder's files are before they are copied in.
    static let input = "/.atomforge-input"

    /// The read-only root a bubblewrap sandbox sees: `/usr` (with the `/bin`, `/lib`… links or folders beside it),
    /// the `/etc` entries the toolchains read, and each toolchain's own folder when it lives outside `/usr` (the
    /// folder above its `bin/`: `/opt/swift/usr/bin` → `/opt/swift`; never one in a home), found once.
    static let minimalRoot: [String] = {
        var arguments = ["--ro-bind", "/usr", "/usr"]
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            guard let status = try? Stat(FilePath(top), followTargetSymlink: false) else { continue }
            if status.type == .symbolicLink,
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top)
            {
                arguments += ["--symlink", target, top]
            } else if status.type == .directory {
                arguments += ["--ro-bind", top, top]
            }
        }
        let etc = [
            "alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group",
            "nsswitch.conf", "ssl", "ca-certificates", "mime.types", "os-release",
        ]
        var folders: [String] = []
        for tool in ["python3", "swiftc", "swift", "node", "tsc", "npx"] {
            guard let found = Toolchain.find(tool) else { continue }
            for path in [found, (found as NSString).resolvingSymlinksInPath] {
                guard let folder = toolchainFolder(of: path), !folders.contains(folder) else { continue }
                folders.append(folder)
            }
        }
        // bwrap makes the folders above a bind 0700, which the program's own user could not pass: made 0755 first
        // (they hold nothing but what is bound into them).
        var parents: [String] = ["/etc"]
        for folder in folders {
            var parent = (folder as NSString).deletingLastPathComponent
            var chain: [String] = []
            while parent != "/", !parent.isEmpty {
                chain.insert(parent, at: 0)
                parent = (parent as NSString).deletingLastPathComponent
            }
            for folder in chain where !parents.contains(folder) { parents.append(folder) }
        }
        for parent in parents { arguments += ["--perms", "0755", "--dir", parent] }
        for name in etc { arguments += ["--ro-bind-try", "/etc/" + name, "/etc/" + name] }
        for folder in folders { arguments += ["--ro-bind", folder, folder] }
        return arguments
    }()

    /// The folder a toolchain outside `/usr` is installed in: the one above the `bin` its program sits in, and
    /// above a `usr` there (`/opt/swift/usr/bin/swiftc` → `/opt/swift`); nil inside `/usr`, or for a folder too
    /// wide to give away (`/`, `/home`, `/root`, `/opt` itself).
    static func toolchainFolder(of program: String) -> String? {
        guard !program.hasPrefix("/usr/"), program.hasPrefix("/") else { return nil }
        var folder = (program as NSString).deletingLastPathComponent
        if (folder as NSString).lastPathComponent == "bin" || (folder as NSString).lastPathComponent == "shims" {
            folder = (folder as NSString).deletingLastPathComponent
        }
        if (folder as NSString).lastPathComponent == "usr" { folder = (folder as NSString).deletingLastPathComponent }
        // Nothing of a home is given away, a toolchain there included (a pyenv in `/root/.pyenv`): inside the
        // sandbox the search path then finds the system's own (`/usr/bin/python3`).
        if folder.hasPrefix("/home/") || folder.hasPrefix("/root/") { return nil }
        let tooWide = ["/", "/home", "/root", "/opt", "/srv", "/var", "/run", "/etc", "/tmp", "/mnt", "/media"]
        guard !tooWide.contains(folder), folder.split(separator: "/").count >= 2 || folder.hasPrefix("/opt/") else {
            return nil
        }
        return folder
    }

    /// What a report says about the containment in force.
    public var description: String {
        // The kernel applies RLIMIT_NPROC per user and never to root: the limit holds only for a user of its own.
        let processes =
            !CurrentProcess.isRoot
            ? "processes not limited (AtomForge does not run as root)"
            : Toolchain.find("setpriv") != nil
                ? "\(maxProcesses) processes, as an unprivileged user"
                : "processes not limited (no setpriv to run the code as a user of its own)"
        let limits = "limits: \(memoryBytes >> 20) MiB data, \(cpuSeconds) s CPU, \(processes)"
        switch isolation {
        case .bubblewrap:
            return "bubblewrap: no network, a minimal read-only root (no host sockets, no outbox), the scratch folder "
                + "a \(scratchBytes >> 20) MiB tmpfs; \(limits)"
        case .unshare: return "unshare: no network, own PID namespace, file system not isolated; \(limits)"
        case .none, .auto: return "none: no namespace isolation available; \(limits)"
        }
    }

    /// The user id a run's program gets: a fresh unprivileged one when AtomForge runs as root (see the type's
    /// documentation), nil when it runs as itself. Its scratch folder is made its own.
    func userForRun() -> UInt32? {
        guard CurrentProcess.isRoot, Toolchain.find("setpriv") != nil else { return nil }
        return UInt32.random(in: 200_000..<1_200_000)
    }

    /// The command line that runs `command` inside the sandbox, in `scratch`, as `user` (from ``userForRun()``).
    func wrap(_ command: [String], scratch: String, user: UInt32?, environment: [String: String]) -> [String] {
        var limited = [
            "prlimit", "--data=\(memoryBytes)", "--fsize=\(maxFileBytes)", "--nofile=256", "--cpu=\(cpuSeconds)",
            "--core=0",
        ]
        if CurrentProcess.isRoot {
            limited.append("--nproc=\(maxProcesses)")
            if let user {
                // The Python test harness starts with real and effective ids apart: the kernel makes a program so
                // started not dumpable, so that no process of its user (none the code starts) can read or write its
                // memory (/proc/<pid>/mem, ptrace); the harness takes the one id back at once (shells drop an
                // effective id that differs from the real one). The real id is a fresh one too (it is the one the
                // process limit counts).
                let ids =
                    command.starts(with: ["python3", "-I", "harness.py"])
                    ? ["--ruid=\(user + 1_000_000)", "--euid=\(user)"] : ["--reuid=\(user)"]
                limited = ["setpriv"] + ids + ["--regid=\(user)", "--clear-groups"] + limited
            }
        }
        limited += ["--"] + command
        switch isolation {
        case .bubblewrap:
            let wrapped = bubblewrap(scratch: scratch, scratchMode: "0777", environment: environment)
            // Made the program's own (it may run as a user of its own) and private to it, as on the host.
            let owner = user.map { " && chown -R \($0):\($0) ." } ?? ""
            let copyIn = "cp -R \(Self.input)/. .\(owner) && chmod 700 . && exec \"$@\""
            return niced(wrapped + ["--", "/bin/sh", "-c", copyIn, "sh"] + limited)
        case .unshare:
            return niced(["unshare", "--net", "--pid", "--fork", "--kill-child", "--"] + limited)
        case .none, .auto:
            return niced(limited)
        }
    }

    /// `bwrap` and its options up to the program: the scratch folder's files are bound read-only at ``input``, to be
    /// copied into the tmpfs that takes the folder's place (mode `scratchMode`) before the program runs.
    private func bubblewrap(scratch: String, scratchMode: String, environment: [String: String]) -> [String] {
        var wrapped =
            ["bwrap"] + Self.minimalRoot + [
                // /tmp and the scratch folder are the only writable places, each a tmpfs of scratchBytes; /dev is
                // read-only (its nodes still work), so /dev/shm cannot be filled either.
                "--dev", "/dev", "--proc", "/proc", "--size", "\(scratchBytes)", "--tmpfs", "/tmp",
                // Passable, not listable, by the program's user, as on the host (bwrap would make it 0700).
                "--perms", "0711", "--dir", (scratch as NSString).deletingLastPathComponent,
                "--ro-bind", scratch, Self.input,
                "--perms", scratchMode, "--size", "\(scratchBytes)", "--tmpfs", scratch,
                "--remount-ro", "/dev", "--chdir", scratch, "--unshare-net", "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--die-with-parent", "--new-session", "--clearenv",
            ]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { wrapped += ["--setenv", name, value] }
        return wrapped
    }

    /// The command line of a ``WarmRunner``'s process: the same bubblewrap sandbox as ``wrap(_:scratch:user:environment:)``
    /// (root, namespaces, `/dev`, `/tmp`, the scratch folder its only writable place), its program root there and
    /// kept the capabilities it needs to give each run namespaces, folders, limits and a user of its own (which
    /// every run drops before any of the code runs). Nil unless the sandbox is bubblewrap and AtomForge runs as
    /// root: only then can each run get a user of its own, as a fresh sandbox gives it.
    func wrapRunner(_ command: [String], scratch: String, environment: [String: String]) -> [String]? {
        guard isolation == .bubblewrap, CurrentProcess.isRoot else { return nil }
        var wrapped = bubblewrap(scratch: scratch, scratchMode: "0700", environment: environment)
        for capability in [
            "CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_FOWNER", "CAP_DAC_OVERRIDE", "CAP_KILL",
            "CAP_SYS_RESOURCE",
        ] {
            wrapped += ["--cap-add", capability]
        }
        let copyIn = "cp -R \(Self.input)/. . && exec \"$@\""
        return niced(wrapped + ["--", "/bin/sh", "-c", copyIn, "sh"] + command)
    }

    /// `command` run at ``niceness``, and everything it starts.
    private func niced(_ command: [String]) -> [String] {
        niceness == 0 ? command : ["nice", "-n", "\(niceness)"] + command
    }
}
