import Foundation
import Glibc
import Testing

@testable import AtomForge

/// A program run to its end on swift-subprocess: its exit code, its output, exactly its environment, and at the
/// timeout everything it forked killed with it.
@Suite("bounded run")
struct BoundedRunTests {
    let folder = NSTemporaryDirectory() + "bounded-run-" + UUID().uuidString

    init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    @Test("the exit code, stdout and stderr in one file, only the environment given, the folder given")
    func ending() async throws {
        let output = folder + "/output"
        let ending = try await BoundedRun.run(
            ["sh", "-c", "echo out; echo err >&2; echo \"[$SECRET][$ONLY]\"; pwd; exit 3"],
            environment: ["PATH": "/usr/bin:/bin", "ONLY": "given"], workingDirectory: folder, outputPath: output,
            timeout: .seconds(30))
        #expect(ending == BoundedRun.Ending(exitCode: 3, timedOut: false))
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text == "out\nerr\n[][given]\n\(folder)\n")
    }

    @Test("at the timeout the program and what it forked are killed; a signal is 128 + its number")
    func timeout() async throws {
        let pidFile = folder + "/grandchild"
        let start = ContinuousClock.now
        let ending = try await BoundedRun.run(
            ["sh", "-c", "sleep 300 & echo $! > \(pidFile); while :; do :; done"],
            environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(1))
        #expect(ending == BoundedRun.Ending(exitCode: 128 + SIGKILL, timedOut: true))
        // The program never ends by itself; the bound is far from the timeout for a loaded CI, not a timing figure.
        #expect(ContinuousClock.now - start < .seconds(250))
        let grandchild = try #require(
            Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let deadline = ContinuousClock.now + .seconds(10)
        func alive() -> Bool {
            // A zombie not yet reaped by its new parent counts as gone: it no longer runs.
            guard let status = try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8) else {
                return false
            }
            return !status.contains(") Z ")
        }
        while alive(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!alive(), "the forked sleep was killed with its group")
    }

    @Test("a program that does not exist is an error that names it")
    func missing() async {
        await #expect(throws: ChildProcessError.self) {
            try await BoundedRun.run(
                ["no-such-program-atomforge"], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(5))
        }
    }

    @Test("a caller cancelled mid-run does not cut the run short: a validator's verdict is the program's own")
    func cancelledCaller() async throws {
        let run = Task {
            try await BoundedRun.run(
                ["sh", "-c", "sleep 0.5; exit 0"], environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(30))
        }
        run.cancel()
        #expect(try await run.value == BoundedRun.Ending(exitCode: 0, timedOut: false))
    }

    @Test("a long-lived child: stopped with SIGTERM and its grace, even by a cancelled caller; its own exit code")
    func childStop() async throws {
        let child = try await ChildProcess.spawn(
            "sh", ["-c", "trap 'sleep 0.3; exit 7' TERM; while :; do sleep 0.05; done"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(child.isRunning)
        let stop = Task { await child.stop(grace: .seconds(10)) }
        stop.cancel()
        #expect(await stop.value == 7, "the trap ran: SIGTERM, then the grace, not SIGKILL at once")
        #expect(!child.isRunning)
    }

    @Test("a child that cannot start is an error, whether or not its caller was cancelled")
    func childMissing() async {
        let spawn = Task {
            try await ChildProcess.spawn("no-such-program-atomforge", [], environment: ["PATH": "/usr/bin:/bin"])
        }
        spawn.cancel()
        await #expect(throws: ChildProcessError.self) { try await spawn.value }
    }
}
