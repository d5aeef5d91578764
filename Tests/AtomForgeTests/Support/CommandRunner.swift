import AtomForgeTestSupport
import Foundation

/// Runs the built `atomforge` executable as a user would, and collects what it printed and how it exited.
enum CommandRunner {
    struct Outcome: Sendable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The `atomforge` binary that `swift build` put beside this test bundle.
    static var executable: URL {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("atomforge")
    }

    /// Runs `atomforge arguments…` in `directory`; waits without holding a thread of the cooperative pool.
    static func atomforge(
        _ arguments: [String], in directory: String = RepositoryFiles.root.path,
        environment: [String: String]? = nil
    ) async throws -> Outcome {
        try await run(executable, arguments, in: directory, environment: environment)
    }

    /// Runs any program the same way (the browser tests run Chromium).
    static func run(
        _ executable: URL, _ arguments: [String], in directory: String = RepositoryFiles.root.path,
        environment: [String: String]? = nil
    ) async throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "atomforge-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Outcome(
            status: status,
            standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
