import Foundation
import Glibc

/// Runs a validator's program in a scratch folder of its own, inside the ``Sandbox``, with a clean environment, a
/// wall-clock timeout and a cap on the output kept. The environment holds only `PATH`, `HOME`/`TMPDIR` (the scratch
/// folder) and a locale, so no API key can reach a tool or the code it looks at. The scratch folder is removed
/// afterwards.
public struct ToolRunner: Sendable {
    /// What a run produced.
    public struct Run: Sendable {
        public var exitCode: Int32
        /// Standard output and error together, cut to ``ToolRunner/outputLimit`` bytes.
        public var output: String
        /// The last bytes of the output, even when ``output`` was cut: where a harness's last line is.
        public var outputTail: String
        public var timedOut: Bool
    }

    public var timeout: Duration
    public var sandbox: Sandbox
    public var outputLimit = 16 * 1024

    public init(timeout: Duration, sandbox: Sandbox = Sandbox(isolation: .auto)) {
        self.timeout = timeout
        self.sandbox = sandbox
    }

    /// Writes `files` (name → contents) into a fresh scratch folder, runs `executable arguments…` there, and
    /// removes the folder afterwards.
    public func run(
        _ executable: String, _ arguments: [String], files: [String: String]
    ) async throws(ChildProcessError) -> Run {
        // Making, filling and removing the scratch folder are file-system work: done off the cooperative pool.
        let scratch = try await BlockingIO.run { () throws(ChildProcessError) in
            let scratch = try Scratch()
            for (name, contents) in files {
                try? contents.write(toFile: scratch.path + "/" + name, atomically: false, encoding: .utf8)
            }
            return scratch
        }
        // The output goes outside the scratch folder, where the sandboxed program cannot reach it.
        let outputPath = scratch.path + ".output"
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": scratch.path, "TMPDIR": scratch.path, "LANG": "C.UTF-8",
        ]
        let command = sandbox.wrap([executable] + arguments, scratch: scratch.path, environment: environment)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                command[0], Array(command.dropFirst()), environment: environment, workingDirectory: scratch.path,
                output: .file(outputPath))
        } catch {
            await BlockingIO.run { scratch.remove() }
            throw error
        }
        let deadline = ContinuousClock.now + timeout
        var timedOut = false
        while child.isRunning {
            if ContinuousClock.now >= deadline {
                timedOut = true
                child.signal(SIGKILL)
                break
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
        let exitCode = await child.wait()
        let limit = outputLimit
        let output = await BlockingIO.run {
            defer {
                unlink(outputPath)
                scratch.remove()
            }
            return Self.read(outputPath, limit: limit)
        }
        return Run(exitCode: exitCode, output: output.head, outputTail: output.tail, timedOut: timedOut)
    }

    private static func read(_ path: String, limit: Int) -> (head: String, tail: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ("", "") }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        let text = String(decoding: data.prefix(limit), as: UTF8.self)
        guard data.count > limit else { return (text, text) }
        let tailSize: UInt64 = 1024
        let end = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: end > tailSize ? end - tailSize : 0)
        let tail = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        return (text + "\n… (output cut at \(limit) bytes)", tail)
    }
}

/// A folder of its own under the system's temporary folder, for one run.
struct Scratch: Sendable {
    let path: String

    init() throws(ChildProcessError) {
        var template = Array((NSTemporaryDirectory() + "/atomforge-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ChildProcessError(executable: "mkdtemp", reason: String(cString: strerror(errno)))
        }
        path = String(cString: made)
        // The sandboxed program may run as an unprivileged user: it must be able to write here (and only here).
        chmod(path, 0o777)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
