import Glibc

/// A command that lasts milliseconds, run to learn only whether it works (can bubblewrap make a namespace here?):
/// a plain spawn and one blocking wait, its output discarded. It blocks the calling thread: made once, as a command
/// sets up its engine and before any plan is taken, not from a task.
package enum QuickCommand {
    /// Whether `command` (looked up in `/usr/bin:/bin`) runs and exits 0.
    package static func exitsZero(_ command: [String]) -> Bool {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in [0, 1, 2] {
            posix_spawn_file_actions_addopen(
                &actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = command.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, command[0], &actions, nil, argv, &envp) == 0 else { return false }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return false }
        }
        return status == 0  // exited, with code 0
    }
}
