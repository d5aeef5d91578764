import Glibc
import Subprocess
import SystemPackage

/// One run of a program to its end, bounded by a wall-clock timeout: what validators and the unit extraction run.
///
/// It is swift-subprocess underneath: the child starts with an empty signal mask and default handlers (threads of
/// the Swift runtime block most signals, and a child that inherited that would ignore SIGTERM), in a process group
/// of its own (a signal reaches everything it forked), and its exit is watched through a pidfd, with no polling
/// and no thread blocked. At the timeout the run's task is cancelled, and swift-subprocess's teardown kills the
/// whole group.
///
/// The run is not cancelled with its caller: a validator that has started runs to its end or its timeout, so that
/// a shutdown never turns code that would have passed into a recorded failure.
public enum BoundedRun {
    /// How a run ended.
    public struct Ending: Sendable, Equatable {
        /// The exit code; 128 + the signal when a signal ended it.
        public var exitCode: Int32
        /// True when the timeout ended it.
        public var timedOut: Bool

        package init(exitCode: Int32, timedOut: Bool) {
            self.exitCode = exitCode
            self.timedOut = timedOut
        }
    }

    /// Runs `command` (its first word a path, or a name looked up in `PATH`) with exactly `environment`, in
    /// `workingDirectory`, its standard output and error appended to the file at `outputPath` (nil: discarded).
    public static func run(
        _ command: [String], environment: [String: String], workingDirectory: String? = nil,
        outputPath: String? = nil, timeout: Duration
    ) async throws(ChildProcessError) -> Ending {
        let executable = command.first ?? ""
        let output = try openOutput(outputPath, for: executable)
        // Ours to close: the child has its own copies once it runs, and a spawn that fails leaves this one open.
        defer { try? output.close() }
        let configuration = configuration(
            command, environment: environment, workingDirectory: workingDirectory,
            teardown: [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)])
        let run = Task { () -> Result<TerminationStatus, ChildProcessError> in
            do {
                let result = try await Subprocess.run(
                    configuration, input: .none,
                    output: .fileDescriptor(output, closeAfterSpawningProcess: false),
                    error: .fileDescriptor(output, closeAfterSpawningProcess: false))
                return .success(result.terminationStatus)
            } catch {
                // Only the timer cancels this task: the teardown killed the child.
                if Task.isCancelled { return .success(.signaled(SIGKILL)) }
                return .failure(ChildProcessError(executable: executable, reason: "\(error)"))
            }
        }
        let timer = Task { () -> Bool in
            do {
                try await Task.sleep(for: timeout)
            } catch {
                return false
            }
            run.cancel()
            return true
        }
        let result = await run.value
        timer.cancel()
        let deadlinePassed = await timer.value
        switch result {
        case .success(let status):
            // The deadline may pass between the child's exit and the run's return: only a kill is a timeout.
            return Ending(exitCode: exitCode(status), timedOut: deadlinePassed && status == .signaled(SIGKILL))
        case .failure(let error):
            throw error
        }
    }

    /// Opens the file the child's standard output and error are appended to (created if missing).
    static func openOutput(_ path: String?, for executable: String) throws(ChildProcessError) -> FileDescriptor {
        do {
            return try FileDescriptor.open(
                path ?? "/dev/null", .writeOnly,
                options: path == nil ? [.create, .append, .closeOnExec] : [.create, .append, .closeOnExec, .noFollow],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw ChildProcessError(executable: executable, reason: "cannot open \(path ?? "/dev/null"): \(error)")
        }
    }

    /// A run of `command` in a process group of its own, with exactly `environment`.
    package static func configuration(
        _ command: [String], environment: [String: String], workingDirectory: String?, teardown: [TeardownStep]
    ) -> Configuration {
        let executable = command.first ?? ""
        var options = PlatformOptions()
        options.processGroupID = 0
        options.teardownSequence = teardown
        var variables: [Environment.Key: String] = [:]
        for (name, value) in environment { variables[Environment.Key(stringLiteral: name)] = value }
        return Configuration(
            executable: executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(Array(command.dropFirst())), environment: .custom(variables),
            workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: options)
    }

    /// The exit code, or 128 + the signal that ended it, as a shell reports it.
    static func exitCode(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
    }
}
