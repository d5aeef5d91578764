import AtomForgeTestSupport
import Foundation
import Testing

/// Debian's Chromium, headless, as the browser tests drive it: the page's DOM after its scripts ran, and screenshots.
/// It is installed by `scripts/install-deps`; a machine without it fails the tests that need it, never skips them.
enum HeadlessChromium {
    static var executable: URL {
        get throws {
            let path = "/usr/bin/chromium"
            guard FileManager.default.isExecutableFile(atPath: path) else {
                Issue.record("no \(path): scripts/install-deps installs Debian's chromium for the browser tests")
                throw CocoaError(.fileNoSuchFile)
            }
            return URL(fileURLWithPath: path)
        }
    }

    /// A fresh profile per call, so that parallel tests never share one; no sandbox, since CI runs as root.
    private static func arguments(_ extra: [String]) -> (arguments: [String], profile: URL) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=5000",
        ]
        return (common + extra, profile)
    }

    /// The page's DOM, serialised after it loaded and its scripts ran (`--dump-dom`).
    static func dom(of url: URL) async throws -> String {
        let (arguments, profile) = arguments(["--dump-dom", url.absoluteString])
        defer { try? FileManager.default.removeItem(at: profile) }
        let outcome = try await CommandRunner.run(try executable, arguments)
        #expect(outcome.status == 0, "chromium --dump-dom failed: \(outcome.standardError.suffix(2000))")
        return outcome.standardOutput
    }

    /// A PNG of the page at `width`×`height`.
    static func screenshot(of url: URL, to file: URL, width: Int = 1400, height: Int = 1100) async throws {
        let (arguments, profile) = arguments([
            "--screenshot=\(file.path)", "--window-size=\(width),\(height)", "--hide-scrollbars", url.absoluteString,
        ])
        defer { try? FileManager.default.removeItem(at: profile) }
        let outcome = try await CommandRunner.run(try executable, arguments)
        #expect(outcome.status == 0, "chromium --screenshot failed: \(outcome.standardError.suffix(2000))")
    }

    /// Where tests keep what a person may want to look at afterwards: `.build/test-artifacts/` of the repository.
    static var artifacts: URL {
        let folder = RepositoryFiles.root.appendingPathComponent(".build/test-artifacts")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
