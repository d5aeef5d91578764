import Glibc
import Subprocess
import SystemPackage

/// One run of a program to its end, bounded by a wall-clock timeout: what validators and the unit extraction run.
///
/// It is swift-subprocess underneath: the child starts with an empty signal mask and default handlers (threads of
/// the Swift runtime block most signals, and a child that inherited that would ignore SIGTERM), in a process group
/// of its own (a signal reaches everything it forked), and its exit is watched through a pidfd, with no polling
/// and no thread blocked. At the timeout the task running it is cancelled, and swift-subprocess's teardown kills
/// the whole group.
public enum BoundedRun {
    /// How a run ended.
    public struct Ending: Sendable, Equatable {
        /// The exit code; 128 + the signal when a signal ended it.
        public var exitCode: Int32
        /// True when the timeout ended it.
        public var timedOut: Bool
    }

    /// Runs `command` (its first word a path, or a name looked up in `PATH`) with exactly `environment`, in
    /// `workingDirectory`, its standard output and error appended to the file at `outputPath` (nil: discarded).
    public static func run(
        _ command: [String], environment: [String: String], workingDirectory: String? = nil,
        outputPath: String? = nil, timeout: Duration
    ) async throws(ChildProcessError) -> Ending {
        let executable = command.first ?? ""
        let output: FileDescriptor
        do {
            output = try FileDescriptor.open(
                outputPath ?? "/dev/null", .writeOnly, options: [.create, .append, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw ChildProcessError(
                executable: executable, reason: "cannot open \(outputPath ?? "/dev/null"): \(error)")
        }
        // The teardown's own last step kills the leader only: what it forked goes first, with the whole group.
        let configuration = configuration(
            command, environment: environment, workingDirectory: workingDirectory,
            teardown: [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)])
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    let result = try await Subprocess.run(
                        configuration, input: .none,
                        output: .fileDescriptor(output, closeAfterSpawningProcess: true), error: .combinedWithOutput)
                    return .ended(result.terminationStatus)
                } catch {
                    return .failed("\(error)")
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    return .deadline
                } catch {
                    return .noDeadline
                }
            }
            var timedOut = false
            while let next = await group.next() {
                switch next {
                case .deadline:
                    // Cancelling the run is what tears the child down (its teardown sequence); then it ends.
                    timedOut = true
                    group.cancelAll()
                case .ended(let status):
                    group.cancelAll()
                    return Outcome.finished(status, timedOut: timedOut)
                case .failed(let reason):
                    group.cancelAll()
                    // A run cancelled at the deadline may end by throwing: it was killed all the same.
                    return timedOut ? .finished(.signaled(SIGKILL), timedOut: true) : .failed(reason)
                case .noDeadline, .finished:
                    break
                }
            }
            return .failed("the run ended without a status")
        }
        switch outcome {
        case .finished(let status, let timedOut):
            return Ending(exitCode: exitCode(status), timedOut: timedOut)
        case .failed(let reason):
            throw ChildProcessError(executable: executable, reason: reason)
        default:
            throw ChildProcessError(executable: executable, reason: "the run ended without a status")
        }
    }

    /// A run of `command` in a process group of its own, with exactly `environment`.
    static func configuration(
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

    private enum Outcome: Sendable {
        case ended(TerminationStatus)
        case deadline
        /// The timer was cancelled: the run ended first, or the caller was cancelled.
        case noDeadline
        case failed(String)
        case finished(TerminationStatus, timedOut: Bool)
    }
}
