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
        #expect(ContinuousClock.now - start < .seconds(20))
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
}
