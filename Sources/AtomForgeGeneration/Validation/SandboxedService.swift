import AtomForgeSystem
import Foundation
import Subprocess

/// A long-lived Python program in the sandbox that answers requests, what ``WarmParser`` and ``WarmRunner`` are
/// built on: it is started on the first request, a request is bytes on its standard input, an answer a JSON line
/// on its standard output naming the request's `id`.
///
/// A program that exits, or leaves a request unanswered past its timeout, is ended (swift-subprocess's teardown kills
/// its process group) and every request waiting gets nil, for its caller to fall back on a fresh sandbox; the next
/// request starts another. After three programs in a row that exited having answered nothing (one that cannot start)
/// none is started again.
actor SandboxedService {
    /// How the program is started: its script and `files` (plain names), written into a scratch folder of its own,
    /// and the command line that runs it there (nil: it cannot run in this sandbox), made off the cooperative pool
    /// (it may give the folder to the program's user).
    struct Program: Sendable {
        var script: String
        var fileName: String
        var files: [String: String] = [:]
        var command: @Sendable (_ scratch: Scratch, _ environment: [String: String]) -> [String]?
    }

    private let program: Program
    private var session: Task<Void, Never>?
    private var requests: AsyncStream<[UInt8]>.Continuation?
    private var pending: [UInt64: CheckedContinuation<Data?, Never>] = [:]
    private var generation = 0
    private var nextID: UInt64 = 0
    private var answeredInSession = 0
    private var silentSessions = 0
    /// Programs started so far.
    private(set) var starts = 0
    /// Requests answered so far.
    private(set) var answered = 0

    init(_ program: Program) {
        self.program = program
    }

    /// Sends the request `encode` makes for a fresh id and returns the answer's line; nil when there is none (the
    /// program could not start, exited, or did not answer within `timeout`, or `encode` made nothing).
    func call(timeout: Duration, _ encode: (UInt64) -> [UInt8]?) async -> Data? {
        guard silentSessions < 3 else { return nil }
        if session == nil { start() }
        nextID += 1
        let id = nextID
        guard let requests, let request = encode(id) else { return nil }
        let generation = self.generation
        let timer = Task {
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { await self.expire(id, generation: generation) }
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            pending[id] = continuation
            requests.yield(request)
        }
    }

    /// Ends the program and waits for it to exit.
    func shutdown() async {
        let running = session
        end(silent: false)
        await running?.value
    }

    private struct Identified: Decodable {
        var id: UInt64
    }

    private func start() {
        generation += 1
        starts += 1
        answeredInSession = 0
        let generation = self.generation
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        requests = continuation
        let program = self.program
        session = Task {
            await Self.serve(program, requests: stream) { line in
                await self.deliver(line, generation: generation)
            }
            await self.ended(generation: generation)
        }
    }

    private func deliver(_ line: [UInt8], generation: Int) {
        let data = Data(line)
        guard generation == self.generation, let id = try? JSONDecoder().decode(Identified.self, from: data).id,
            let continuation = pending.removeValue(forKey: id)
        else { return }
        answeredInSession += 1
        answered += 1
        silentSessions = 0
        continuation.resume(returning: data)
    }

    private func expire(_ id: UInt64, generation: Int) {
        guard generation == self.generation, pending[id] != nil else { return }
        // A request that hangs it (crafted code can make a parse slow) says nothing of whether it can start.
        end(silent: false)
    }

    private func ended(generation: Int) {
        guard generation == self.generation else { return }
        end()
    }

    /// Stops the program of this generation: every request waiting gets nil, the next starts anew. `silent`: count
    /// it among the programs that answered nothing, if it did not.
    private func end(silent: Bool = true) {
        guard session != nil else { return }
        if silent, answeredInSession == 0 { silentSessions += 1 }
        generation += 1
        session?.cancel()
        session = nil
        requests?.finish()
        requests = nil
        let waiting = pending
        pending = [:]
        for continuation in waiting.values { continuation.resume(returning: nil) }
    }

    /// Runs the program until it exits or the task is cancelled, writing `requests` to its standard input and
    /// handing each line it prints to `deliver`.
    private static func serve(
        _ program: Program, requests: AsyncStream<[UInt8]>, deliver: @escaping @Sendable ([UInt8]) async -> Void
    ) async {
        let prepared = await BlockingIO.run { () -> (Scratch, [String: String], [String]?)? in
            guard let scratch = try? Scratch() else { return nil }
            for (name, text) in program.files.merging([program.fileName: program.script], uniquingKeysWith: { $1 }) {
                try? text.write(toFile: scratch.path + "/" + name, atomically: false, encoding: .utf8)
            }
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                "HOME": scratch.path, "TMPDIR": scratch.path, "LANG": "C.UTF-8",
            ]
            return (scratch, environment, program.command(scratch, environment))
        }
        guard let (scratch, environment, command) = prepared else { return }
        guard let command else {
            await BlockingIO.run { scratch.remove() }
            return
        }
        let configuration = BoundedRun.configuration(
            command, environment: environment, workingDirectory: scratch.path,
            teardown: [.send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .zero)])
        _ = try? await Subprocess.run(
            configuration, input: .inputWriter, output: .sequence, error: .discarded
        ) { execution in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await request in requests {
                        _ = try await execution.standardInputWriter.write(request)
                    }
                    try await execution.standardInputWriter.finish()
                }
                var buffer: [UInt8] = []
                for try await chunk in execution.standardOutput {
                    chunk.withUnsafeBytes { buffer.append(contentsOf: $0) }
                    while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = Array(buffer[..<newline])
                        buffer.removeSubrange(...newline)
                        await deliver(line)
                    }
                }
                group.cancelAll()
            }
        }
        await BlockingIO.run { scratch.remove() }
    }
}
