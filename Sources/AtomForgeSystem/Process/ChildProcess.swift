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

    /// The task that holds the run, set as it is made.
    private final class TaskBox: Sendable {
        let value = Mutex<Task<Int32, Never>?>(nil)
    }

    /// Tells the one waiting `spawn` how the start went, once: the pid, or why it failed.
    private final class Start: Sendable {
        let told = Atomic<Bool>(false)
        let continuation: CheckedContinuation<Result<pid_t, ChildProcessError>, Never>

        init(_ continuation: CheckedContinuation<Result<pid_t, ChildProcessError>, Never>) {
            self.continuation = continuation
        }

        func tell(_ result: Result<pid_t, ChildProcessError>) {
            guard !told.exchange(true, ordering: .acquiringAndReleasing) else { return }
            continuation.resume(returning: result)
        }
    }

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
        let path: String? =
            switch output {
            case .null: nil
            case .file(let path): path
            }
        let descriptor = try BoundedRun.openOutput(path, for: executable)
        let configuration = BoundedRun.configuration(
            [executable] + arguments, environment: environment, workingDirectory: workingDirectory,
            teardown: [])
        let ending = Ending()
        // The start is awaited whatever happens to the caller: a child that started is always handed back (and so
        // can be stopped), never left running with nobody knowing its pid.
        let task = TaskBox()
        let started = await withCheckedContinuation { continuation in
            let start = Start(continuation)
            task.value.withLock {
                $0 = Task<Int32, Never> {
                    var code: Int32 = -1
                    do {
                        let result = try await Subprocess.run(
                            configuration, input: .none,
                            output: .fileDescriptor(descriptor, closeAfterSpawningProcess: false),
                            error: .fileDescriptor(descriptor, closeAfterSpawningProcess: false)
                        ) { execution in
                            start.tell(.success(execution.processIdentifier.value))
                        }
                        code = BoundedRun.exitCode(result.terminationStatus)
                    } catch {
                        start.tell(.failure(ChildProcessError(executable: executable, reason: "\(error)")))
                    }
                    ending.exitCode.withLock { $0 = code }
                    return code
                }
            }
        }
        // Set before the continuation could be resumed: the closure above runs before this call suspends.
        let run = task.value.withLock { $0! }
        // The child has its own copies of the descriptor once it runs; a spawn that failed leaves ours open.
        try? descriptor.close()
        switch started {
        case .success(let pid): return ChildProcess(pid: pid, run: run, ending: ending)
        case .failure(let error): throw error
        }
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

    /// Asks the child to stop with SIGTERM, and kills its group when it has not stopped within `grace` (or at once
    /// when it has, for anything it forked and left behind). The grace holds even for a caller that is cancelled.
    @discardableResult
    public func stop(grace: Duration = .seconds(5)) async -> Int32 {
        signal(SIGTERM)
        let run = self.run
        let grace = Task { try? await Task.sleep(for: grace) }
        let watcher = Task {
            _ = await run.value
            grace.cancel()
        }
        await grace.value
        kill(-pid, SIGKILL)
        let code = await run.value
        await watcher.value
        return code
    }
}

/// A child process that could not be started.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public var executable: String
    public var reason: String

    package init(executable: String, reason: String) {
        self.executable = executable
        self.reason = reason
    }

    public var description: String { "cannot start \(executable): \(reason)" }
}
