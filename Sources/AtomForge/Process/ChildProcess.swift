import Glibc
import Subprocess
import Synchronization
import SystemPackage

/// A long-lived child process: the model server, which ``LocalServer`` starts in `start()`, watches in `run()` and
/// stops in `stop()` (and the servers the tests and benchmarks start). Runs that end by themselves go through
/// ``BoundedRun``.
///
/// It is swift-subprocess underneath, as ``BoundedRun`` is: an empty signal mask and default handlers in the child
/// (threads of the Swift runtime block most signals, and a server that inherited that would ignore SIGTERM), a
/// process group of its own (a signal reaches everything it forked), the exit watched through a pidfd. A task of
/// its own holds the run for as long as the child lives, because the server's life spans more than one call.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let run: Task<Int32, Never>
    private let ending: Ending

    /// What the run's task knows once the child has exited.
    private final class Ending: Sendable {
        let exitCode = Mutex<Int32?>(nil)
    }

    private init(pid: pid_t, run: Task<Int32, Never>, ending: Ending) {
        self.pid = pid
        self.run = run
        self.ending = ending
    }

    /// Where a child's standard output and error go.
    public enum Output: Sendable {
        /// Discarded.
        case null
        /// Appended to the file at this path (created if missing).
        case file(String)
    }

    /// Starts `executable` (a path, or a name looked up in `PATH`) with `arguments` and exactly `environment`;
    /// returns once it runs.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String],
        workingDirectory: String? = nil, output: Output = .null
    ) async throws(ChildProcessError) -> ChildProcess {
        let path: String =
            switch output {
            case .null: "/dev/null"
            case .file(let path): path
            }
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                path, .writeOnly, options: [.create, .append, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw ChildProcessError(executable: executable, reason: "cannot open \(path): \(error)")
        }
        let configuration = BoundedRun.configuration(
            [executable] + arguments, environment: environment, workingDirectory: workingDirectory,
            teardown: [])
        let ending = Ending()
        let (started, starting) = AsyncStream<Result<pid_t, ChildProcessError>>.makeStream()
        let run = Task<Int32, Never> {
            var code: Int32 = -1
            do {
                let result = try await Subprocess.run(
                    configuration, input: .none,
                    output: .fileDescriptor(descriptor, closeAfterSpawningProcess: true), error: .combinedWithOutput
                ) { execution in
                    starting.yield(.success(execution.processIdentifier.value))
                }
                code = BoundedRun.exitCode(result.terminationStatus)
            } catch {
                starting.yield(.failure(ChildProcessError(executable: executable, reason: "\(error)")))
            }
            starting.finish()
            ending.exitCode.withLock { $0 = code }
            return code
        }
        for await first in started {
            switch first {
            case .success(let pid): return ChildProcess(pid: pid, run: run, ending: ending)
            case .failure(let error): throw error
            }
        }
        throw ChildProcessError(executable: executable, reason: "it ended before it was seen to start")
    }

    /// Sends `signal` to the child's whole process group, while the child runs.
    public func signal(_ signal: Int32) {
        guard isRunning else { return }
        kill(-pid, signal)
    }

    public var isRunning: Bool { ending.exitCode.withLock { $0 } == nil }

    /// Waits until the child exits; returns its exit code (128 + signal when a signal ended it).
    @discardableResult
    public func wait() async -> Int32 {
        await run.value
    }

    /// Asks the child to stop with SIGTERM, and kills its group when it has not stopped within `grace`.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32 {
        signal(SIGTERM)
        let run = self.run
        let pid = self.pid
        let stopped = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                _ = await run.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: grace)
                return false
            }
            let first = await group.next() ?? false
            // Killed here, before the group waits for its other task: the run ends only once the child has.
            kill(-pid, SIGKILL)
            group.cancelAll()
            return first
        }
        _ = stopped  // stopped within the grace or not, its group (and anything it left behind) is killed
        return await run.value
    }
}

/// A child process that could not be started.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public var executable: String
    public var reason: String

    public var description: String { "cannot start \(executable): \(reason)" }
}
