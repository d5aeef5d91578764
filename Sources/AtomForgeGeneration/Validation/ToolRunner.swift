import AtomForgeModel
import AtomForgeSystem
import Foundation

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
        /// How many bytes the program wrote in all: at ``Sandbox/maxFileBytes`` it was stopped there (a fresh
        /// sandbox's output file can grow no larger; the warm runner ends the program).
        public var outputBytes = 0
    }

    public var timeout: Duration
    public var sandbox: Sandbox
    public var outputLimit = 16 * 1024
    /// Serves ``runParseScript(_:_:files:ignoringWarnings:)`` when set (`validation.warm_python`).
    public var warmParser: WarmParser?
    /// Serves ``runPython(_:files:)`` when set (`validation.warm_python`, under bubblewrap as root).
    public var warmRunner: WarmRunner?

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
        let user = sandbox.userForRun()
        let scratch = try await BlockingIO.run { () throws(ChildProcessError) in
            let scratch = try Scratch()
            for (name, contents) in files {
                try? contents.write(toFile: scratch.path + "/" + name, atomically: false, encoding: .utf8)
            }
            // Under bubblewrap the files are copied into a tmpfs and given to the user there (Sandbox.wrap).
            if sandbox.isolation != .bubblewrap { scratch.give(to: user) }
            return scratch
        }
        // The output goes outside the scratch folder, where the sandboxed program cannot reach it.
        let outputPath = scratch.path + ".output"
        let environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": scratch.path, "TMPDIR": scratch.path, "LANG": "C.UTF-8",
        ]
        let command = sandbox.wrap(
            [executable] + arguments, scratch: scratch.path, user: user, environment: environment)
        let ending: BoundedRun.Ending
        do {
            ending = try await BoundedRun.run(
                command, environment: environment, workingDirectory: scratch.path, outputPath: outputPath,
                timeout: timeout)
        } catch {
            await BlockingIO.run {
                try? PathOperations.removeFile(outputPath)
                scratch.remove()
            }
            throw error
        }
        let limit = outputLimit
        let output = await BlockingIO.run {
            defer {
                try? PathOperations.removeFile(outputPath)
                scratch.remove()
            }
            return Self.read(outputPath, limit: limit)
        }
        return Run(
            exitCode: ending.exitCode, output: output.head, outputTail: output.tail, timedOut: ending.timedOut,
            outputBytes: output.size)
    }

    /// Runs one of AtomForge's own Python scripts that parse code and never run it, as `python3 -I -c script
    /// arguments…` in a folder holding `files`: through the ``WarmParser`` when the runner has one and it answers,
    /// else in a fresh sandboxed `python3`. `ignoringWarnings` is `-W ignore`.
    public func runParseScript(
        _ script: String, _ arguments: [String], files: [String: String], ignoringWarnings: Bool = false
    ) async throws(ChildProcessError) -> Run {
        if let warmParser,
            let answer = await warmParser.run(
                script: script, arguments: arguments, files: files, ignoringWarnings: ignoringWarnings)
        {
            let output = Self.cut(answer.output, limit: outputLimit)
            return Run(exitCode: answer.exit, output: output.head, outputTail: output.tail, timedOut: false)
        }
        let warnings = ignoringWarnings ? ["-W", "ignore"] : []
        return try await run("python3", ["-I"] + warnings + ["-c", script] + arguments, files: files)
    }

    /// Runs `python3 -I arguments…` (`arguments[0]` the script) in a fresh folder holding `files`, in the sandbox:
    /// forked by the ``WarmRunner`` when the runner has one and it can, else as ``run(_:_:files:)`` runs it.
    public func runPython(_ arguments: [String], files: [String: String]) async throws(ChildProcessError) -> Run {
        if let warmRunner,
            let run = await warmRunner.run(arguments, files: files, timeout: timeout, outputLimit: outputLimit)
        {
            return run
        }
        return try await run("python3", ["-I"] + arguments, files: files)
    }

    /// `text` as ``run(_:_:files:)`` keeps a program's output: its first `limit` bytes (and a line saying it was
    /// cut), and its last kilobyte.
    static func cut(_ text: String, limit: Int) -> (head: String, tail: String) {
        let bytes = Array(text.utf8)
        guard bytes.count > limit else { return (text, text) }
        let head = String(decoding: bytes.prefix(limit), as: UTF8.self)
        return (head + "\n… (output cut at \(limit) bytes)", String(decoding: bytes.suffix(1024), as: UTF8.self))
    }

    private static func read(_ path: String, limit: Int) -> (head: String, tail: String, size: Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ("", "", 0) }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: limit + 1)) ?? Data()
        let text = String(decoding: data.prefix(limit), as: UTF8.self)
        guard data.count > limit else { return (text, text, data.count) }
        let tailSize: UInt64 = 1024
        let end = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: end > tailSize ? end - tailSize : 0)
        let tail = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        return (text + "\n… (output cut at \(limit) bytes)", tail, Int(end))
    }
}
